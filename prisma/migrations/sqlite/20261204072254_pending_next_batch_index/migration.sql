-- CreateIndex
CREATE INDEX "PendingRow_trigger_route_held_fitRunId_rowId_idx" ON "PendingRow"("trigger", "route", "held", "fitRunId", "rowId");
