; Inno Setup 6 (6.3 or newer) script: the Windows installer for the one-folder bundle.
;
; Build the bundle first (python installers\build_bundle.py, which writes dist\clinic-desktop\), then, from the
; top of the repository:
;
;     "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" installers\windows\clinic-desktop.iss
;
; Result: dist\ClinicDesktopSetup-<version>.exe. The version is read from the bundle's program (the spec
; writes clinic_desktop.__version__ into it); /DAppVersion=1.2.3 on the ISCC command line overrides it.
;
; THE CLINIC'S DATA IS NEVER REMOVED. The database, its backups and the audit key live in each user's data
; folder, %LOCALAPPDATA%\clinic_desktop (or on the PostgreSQL server), which this installer neither creates
; nor lists. Uninstalling removes only the program files installed below; there is deliberately no
; [UninstallDelete] section, and nothing here may ever name the data folder.

#define AppName "Clinic Desktop"
#define AppExe "clinic-desktop.exe"
#define Bundle SourcePath + "..\..\dist\clinic-desktop"
#ifndef AppVersion
  #define AppVersion GetStringFileInfo(Bundle + "\" + AppExe, "ProductVersion")
#endif
#if AppVersion == ""
  #error The bundle was not found in dist\clinic-desktop: build it first (python installers\build_bundle.py).
#endif

[Setup]
; The id Windows knows the installation by: keep it the same for every version, so an upgrade replaces the old.
AppId={{E4E1A4D5-4F5A-43E6-9BBC-637F643A00B2}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppName}
VersionInfoVersion={#AppVersion}
; {autopf}: C:\Program Files for an administrator's install (every user), the user's own Programs folder
; otherwise (the dialog lets a person without admin rights install for themselves).
DefaultDirName={autopf}\{#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=admin
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir={#SourcePath}..\..\dist
OutputBaseFilename=ClinicDesktopSetup-{#AppVersion}
SetupIconFile={#SourcePath}..\..\resources\icons\clinic-desktop.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
WizardStyle=modern
Compression=lzma2/max
SolidCompression=yes
; A running Clinic Desktop is asked to close before its files are replaced.
CloseApplications=yes

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An upgrade replaces the bundle's library folder whole, so no file of the old version lingers beside the new.
; (The program folder only: the data folder is elsewhere and untouched.)
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#Bundle}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
