# Runtime hooks for Lambda SnapStart, as AWS's snapshot-restore-py package
# offers them: functions registered here run before the snapshot is taken
# (in reverse order of registration) and after each restore (in order).
# Stratus's bootstrap runs them around its fork server; elsewhere they are
# simply kept. Usable as plain calls or as decorators.

_before_snapshot = []
_after_restore = []


def register_before_snapshot(func, *args, **kwargs):
    _before_snapshot.append((func, args, kwargs))
    return func


def register_after_restore(func, *args, **kwargs):
    _after_restore.append((func, args, kwargs))
    return func


def get_before_snapshot():
    return _before_snapshot


def get_after_restore():
    return _after_restore
