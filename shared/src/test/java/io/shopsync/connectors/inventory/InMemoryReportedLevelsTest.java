package io.shopsync.connectors.inventory;

import io.shopsync.testing.InMemoryReportedLevels;

class InMemoryReportedLevelsTest extends ReportedLevelsContract {

    private final InMemoryReportedLevels store = new InMemoryReportedLevels(RETENTION);

    @Override
    ReportedLevels store() {
        return store;
    }
}
