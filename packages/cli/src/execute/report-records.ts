import { records } from "@kubesim/core"
import type { RunRecord } from "@kubesim/report"

/**
 * A run's records as the report package decodes them from the records.jsonl the run writes, built from the
 * records in memory: core's `canonicalRecords` gives what parsing the written line gives (fields in documented
 * order, null for absent optionals, sorted endpoints and shares), and report-records.test.ts checks that the
 * report's own decoder agrees on every kind. Writing a 1,000-node run's gigabyte of records and reading it back
 * to render its reports took most of the time after the simulation.
 */
export const reportRecords = (rs: ReadonlyArray<records.RunRecord>): RunRecord[] => records.canonicalRecords(rs) as unknown as RunRecord[]
