"""Background operations: a service call runs off the GUI thread, and its result or error comes back on it.

Anything that can take more than ~50 ms (a password hash, a signature, a backup, rendering a sheet, a large
read) goes through here, so the window never freezes:

    Op(self.save_button, lambda: services.doses.stop(actor, ...)) \\
        .success(self._stopped).errors(self.error_map).run()

- One worker thread for the whole window: service calls never run on two threads at once for one workstation,
  and they run in the order they were started.
- While it runs, the widget that started it (or those given to `disable`) is disabled, so it cannot be
  started twice; it is enabled again before the callbacks run.
- Success and failure are delivered on the GUI thread. The default failure handling is the application's
  one: a validation error beside its field and a refusal on the form (with `errors(ErrorMap)`), a refusal in a
  short message box otherwise, and anything unexpected logged with its traceback and shown in the one-sentence
  "Something went wrong" box.
- What the call committed is published on the change hub with the operation's initiator (ui/change_hub.py), so
  the screen that saved is not told that someone else changed its record.
- A closed screen's callbacks are dropped (its record was still saved, and other screens still hear of it).

At quit, `wait_for_all()` lets what is running and queued finish before the database is closed.

Tests run every operation inline (`use_executor(InlineExecutor())`, tests/ui/conftest.py), so they stay
synchronous and deterministic; the threaded executor is the default."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Callable, Generic, Protocol, TypeVar

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QWidget
from shiboken6 import Shiboken

from clinic_desktop.domain.access import SignInRequired
from clinic_desktop.domain.errors import ClinicError, ValidationError, ValidationErrors

log = logging.getLogger(__name__)

T = TypeVar("T")


class Executor(Protocol):
    """Where an operation's call runs: `submit(fn)` returns a Future of its result."""

    def submit(self, fn: Callable[[], object]) -> Future: ...


class WorkerThread:
    """The one worker thread of the window (created when first used)."""

    def __init__(self) -> None:
        self._pool: ThreadPoolExecutor | None = None

    def submit(self, fn: Callable[[], object]) -> Future:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="clinic-op")
        return self._pool.submit(fn)

    def shutdown(self) -> None:
        """Wait for what is running and queued (at quit: a backup under way finishes)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None


class InlineExecutor:
    """Runs the call at once in the calling thread (tests: every operation finishes before `run()` returns)."""

    def submit(self, fn: Callable[[], object]) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn())
        except BaseException as exc:  # noqa: BLE001 - handed to the operation's failure handling, as a thread would
            future.set_exception(exc)
        return future


_executor: Executor = WorkerThread()


def wait_for_all() -> None:
    """Block until every operation started so far has run (at quit, before the database is closed: a backup
    under way finishes). Their callbacks are not run here; the worker takes new operations afterwards."""
    shutdown = getattr(_executor, "shutdown", None)
    if shutdown is not None:
        shutdown()


def use_executor(executor: Executor) -> Executor:
    """Run operations on `executor` from now on; returns the one used before (tests put it back)."""
    global _executor
    previous, _executor = _executor, executor
    return previous


class _Collector(threading.local):
    """The commits of the operation running in this thread, per hub (see ChangeHub.heard)."""

    current: list | None = None


_collecting = _Collector()


def collecting() -> list | None:
    """The list the running operation gathers its commits in, or None outside an operation (this thread)."""
    return _collecting.current


class _Delivery(QObject):
    """Lives on the GUI thread; its signal, emitted by the worker, runs the callbacks there."""

    finished = Signal(object, object)

    def __init__(self) -> None:
        super().__init__()
        self.finished.connect(self._deliver, Qt.ConnectionType.AutoConnection)
        self.running: set[Op] = set()

    def _deliver(self, op: "Op", future: Future) -> None:
        self.running.discard(op)
        op._finish(future)  # noqa: SLF001 (this module's own Op)


_delivery: _Delivery | None = None


def _deliverer() -> _Delivery:
    global _delivery
    if _delivery is None or not Shiboken.isValid(_delivery):
        _delivery = _Delivery()
        app = QCoreApplication.instance()
        if app is not None:
            _delivery.moveToThread(app.thread())
    return _delivery


def running() -> int:
    """How many operations have started and not yet delivered their result."""
    return len(_delivery.running) if _delivery is not None and Shiboken.isValid(_delivery) else 0


class Op(Generic[T]):
    """One service call in the background; configure with the chained methods, then `run()`."""

    def __init__(self, parent: QObject, call: Callable[[], T], *, initiator: object | None = None) -> None:
        self._parent = parent
        self._call = call
        #: Who made the change, for the change hub: the parent unless told otherwise (a panel's parent screen).
        self.initiator = initiator if initiator is not None else parent
        self._on_success: Callable[[T], None] | None = None
        self._on_failure: Callable[[BaseException], None] | None = None
        self._on_progress: Callable[..., None] | None = None
        self._errors = None
        self._disabled: list[QWidget] = [parent] if isinstance(parent, QWidget) else []
        self._reenable: list[QWidget] = []
        self._changes: list = []
        self._progress_bridge: _Progress | None = None

    # --- configuration -------------------------------------------------------------------------------
    def success(self, callback: Callable[[T], None]) -> "Op[T]":
        self._on_success = callback
        return self

    def failure(self, callback: Callable[[BaseException], None]) -> "Op[T]":
        """Replace the default failure handling (the callback gets the exception)."""
        self._on_failure = callback
        return self

    def errors(self, error_map: object) -> "Op[T]":
        """Show errors the way the form does: beside its fields, refusals on the form (a ui.form_support.ErrorMap);
        the form's messages are cleared when the operation starts."""
        self._errors = error_map
        return self

    def disable(self, *widgets: QWidget) -> "Op[T]":
        """Disable these while it runs instead of the parent (none: nothing is disabled)."""
        self._disabled = list(widgets)
        return self

    def progress(self, callback: Callable[..., None]) -> "Op[T]":
        """`callback(*args)` on the GUI thread for each `report(*args)` the call makes from the worker."""
        self._on_progress = callback
        self._progress_bridge = _Progress(callback)
        return self

    def report(self, *args: object) -> None:
        """Called by the running call (any thread): progress to show, e.g. (done, total)."""
        if self._progress_bridge is not None:
            self._progress_bridge.reported.emit(args)

    # --- running -------------------------------------------------------------------------------------
    def run(self) -> None:
        if self._errors is not None:
            self._errors.clear()
        for widget in self._disabled:
            if Shiboken.isValid(widget) and widget.isEnabled():
                widget.setEnabled(False)
                self._reenable.append(widget)
        delivery = _deliverer()
        delivery.running.add(self)
        future = _executor.submit(self._in_worker)
        future.add_done_callback(lambda done: self._emit_finished(delivery, done))

    def _in_worker(self) -> T:
        _collecting.current = self._changes
        try:
            return self._call()
        finally:
            _collecting.current = None

    def _emit_finished(self, delivery: _Delivery, future: Future) -> None:
        try:
            delivery.finished.emit(self, future)
        except RuntimeError:  # the window (and its delivery object) is gone: nobody is left to tell
            log.info("An operation finished after the window closed")

    def _finish(self, future: Future) -> None:
        for widget in self._reenable:
            if Shiboken.isValid(widget):
                widget.setEnabled(True)
        alive = Shiboken.isValid(self._parent)
        error = future.exception()
        if alive:
            if error is None:
                if self._on_success is not None:
                    self._on_success(future.result())
            else:
                ended = _sign_in_ended_handler(self._parent) if isinstance(error, SignInRequired) else None
                if self._on_failure is not None:
                    self._on_failure(error)  # it puts its screen right (its message is hidden with the screen)
                elif ended is None:
                    self._default_failure(error)
                if ended is not None:
                    ended(self._parent, error)
        elif error is not None and not isinstance(error, ClinicError):
            log.error("An operation of a closed screen failed", exc_info=error)
        for hub, changes in self._changes:  # after the initiator has shown its own result
            hub.publish(changes, self.initiator)

    def _default_failure(self, error: BaseException) -> None:
        report_failure(self._parent if isinstance(self._parent, QWidget) else None, error, self._errors)


def _sign_in_ended_handler(origin: QObject) -> Callable[[QObject, SignInRequired], None] | None:
    """The window's `sign_in_ended(origin, error)` above the object that started the operation: a sign-in found
    no longer valid (12 hours, a password reset, a disabled or locked account) sends the window to its sign-in
    page, whatever screen's call found it out. None outside a window (a screen tested on its own)."""
    node: QObject | None = origin
    while node is not None:
        handler = getattr(node, "sign_in_ended", None)
        if callable(handler):
            return handler
        node = node.parent()
    return None


def report_failure(parent: QWidget | None, error: BaseException, error_map: object = None) -> None:
    """The application's one way to tell a person that an action failed (see the module's docstring)."""
    if isinstance(error, (ValidationError, ValidationErrors)) and error_map is not None:
        error_map.show(error.errors if isinstance(error, ValidationErrors) else [error])
    elif isinstance(error, ClinicError):
        if error_map is not None:
            error_map.message(error.message)
        else:
            box = QMessageBox(QMessageBox.Icon.Warning, "Clinic Desktop", error.message, QMessageBox.StandardButton.Ok,
                              parent)
            box.setTextFormat(Qt.TextFormat.PlainText)
            _show(box)
    else:
        from clinic_desktop import logs
        from clinic_desktop.ui.error_report import unexpected_error_box

        log.error("An operation failed unexpectedly", exc_info=error)
        _show(unexpected_error_box(parent, logs.log_file()))


def _show(box: QMessageBox) -> None:
    """Shown without a nested event loop (`open`, not `exec`): other operations keep delivering meanwhile."""
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()


class _Progress(QObject):
    """Carries `Op.report` from the worker to the GUI thread."""

    reported = Signal(tuple)

    def __init__(self, callback: Callable[..., None]) -> None:
        super().__init__()
        self._callback = callback
        app = QCoreApplication.instance()
        if app is not None:
            self.moveToThread(app.thread())
        # A bound method of an object on the GUI thread: Qt queues the call there (a lambda would run in the
        # worker).
        self.reported.connect(self._deliver)

    def _deliver(self, args: tuple) -> None:
        self._callback(*args)
