"""platformdoor's pages: the controller's board, an alarm (acknowledge, close with a cause, its
incident timeline), bypasses, detectors with their false-alarm figures, functional tests due."""
