#!/bin/sh
# Install (or remove) a built Clinic Desktop bundle on Linux, with its menu entry and icons.
#
#   installers/linux/install.sh [--system] [BUNDLE]     install BUNDLE (default: dist/clinic-desktop)
#   installers/linux/install.sh [--system] --uninstall  remove it again
#
# For the current user (the default):           with --system (as root, for every user of the computer):
#   ~/.local/opt/clinic-desktop/  the bundle      /opt/clinic-desktop/
#   ~/.local/bin/clinic-desktop   the launcher    /usr/local/bin/clinic-desktop
#   ~/.local/share/applications/  menu entry      /usr/local/share/applications/
#   ~/.local/share/icons/hicolor/ icons           /usr/local/share/icons/hicolor/
# (XDG_DATA_HOME moves the ~/.local/share parts, as it does for every desktop program.)
#
# The clinic's data (database, backups, audit key) is never touched: it lives in each user's data folder
# (~/.local/share/clinic_desktop) or on the PostgreSQL server, and stays there when the program is removed
# or replaced by a newer version.
set -eu

NAME=clinic-desktop
HERE=$(cd "$(dirname "$0")" && pwd)
MARKER="# Clinic Desktop launcher (installers/linux/install.sh)"

usage() {
    sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
}

system=no
action=install
bundle=""
for arg in "$@"; do
    case "$arg" in
        --system) system=yes ;;
        --uninstall) action=uninstall ;;
        -h|--help) usage ;;
        -*) echo "install.sh: unknown option $arg" >&2; usage ;;
        *) [ -z "$bundle" ] || usage; bundle=$arg ;;
    esac
done

if [ "$system" = yes ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "install.sh: --system installs for every user and needs root (run it with sudo)." >&2
        exit 1
    fi
    opt=/opt/$NAME
    bin=/usr/local/bin
    share=/usr/local/share
else
    : "${HOME:?install.sh: HOME is not set}"
    opt=$HOME/.local/opt/$NAME
    bin=$HOME/.local/bin
    share=${XDG_DATA_HOME:-$HOME/.local/share}
fi
apps=$share/applications
icons=$share/icons/hicolor
SIZES="16 24 32 48 64 128 256 512"

refresh_caches() {
    # Menus and docks notice new entries and icons sooner; neither tool is needed for the install to work.
    if command -v update-desktop-database >/dev/null 2>&1; then update-desktop-database -q "$apps" || true; fi
    if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -f "$icons/index.theme" ]; then
        gtk-update-icon-cache -q -t "$icons" || true
    fi
}

if [ "$action" = uninstall ]; then
    rm -rf "$opt"
    if [ -f "$bin/$NAME" ] && grep -qF "$MARKER" "$bin/$NAME"; then rm -f "$bin/$NAME"; fi
    rm -f "$apps/$NAME.desktop" "$icons/scalable/apps/$NAME.svg"
    for size in $SIZES; do rm -f "$icons/${size}x${size}/apps/$NAME.png"; done
    refresh_caches
    echo "Clinic Desktop removed from $opt."
    echo "The clinic's data was not touched (each user's data folder, e.g. ~/.local/share/clinic_desktop)."
    exit 0
fi

# -- install -----------------------------------------------------------------------------------------------
[ -n "$bundle" ] || bundle=$HERE/../../dist/$NAME
if [ ! -x "$bundle/$NAME" ] || [ ! -d "$bundle/_internal" ]; then
    echo "install.sh: $bundle is not a built bundle (no $NAME program in it); build it first, see installers/README.md." >&2
    exit 1
fi
bundle=$(cd "$bundle" && pwd)
resources=$bundle/_internal/clinic_desktop/resources
[ -d "$resources/icons" ] || resources=$HERE/../../resources

# The new copy is put beside the old one and swapped in, so an interrupted install leaves a working program.
mkdir -p "$(dirname "$opt")" "$bin" "$apps"
rm -rf "$opt.new"
cp -R "$bundle" "$opt.new"
rm -rf "$opt.old"
if [ -e "$opt" ]; then mv "$opt" "$opt.old"; fi
mv "$opt.new" "$opt"
rm -rf "$opt.old"

# A launcher script rather than a link: the bundle finds its libraries next to the real program.
cat > "$bin/$NAME.tmp" <<EOF
#!/bin/sh
$MARKER
exec "$opt/$NAME" "\$@"
EOF
chmod 755 "$bin/$NAME.tmp"
mv "$bin/$NAME.tmp" "$bin/$NAME"

# The menu entry runs the program by its full path: ~/.local/bin is not on every desktop session's PATH.
sed -e "s|^Exec=.*|Exec=$opt/$NAME|" -e "s|^TryExec=.*|TryExec=$opt/$NAME|" \
    "$HERE/$NAME.desktop" > "$apps/$NAME.desktop"
chmod 644 "$apps/$NAME.desktop"

for size in $SIZES; do
    if [ -f "$resources/icons/$NAME-$size.png" ]; then
        mkdir -p "$icons/${size}x${size}/apps"
        cp "$resources/icons/$NAME-$size.png" "$icons/${size}x${size}/apps/$NAME.png"
    fi
done
if [ -f "$resources/$NAME.svg" ]; then
    mkdir -p "$icons/scalable/apps"
    cp "$resources/$NAME.svg" "$icons/scalable/apps/$NAME.svg"
fi
refresh_caches

echo "Clinic Desktop installed in $opt."
echo "Start it from the applications menu, or run: $bin/$NAME"
echo "Check the installation with: $bin/$NAME --self-test"
case ":${PATH:-}:" in
    *":$bin:"*) ;;
    *) echo "(Note: $bin is not on your PATH; the menu entry works regardless.)" ;;
esac
