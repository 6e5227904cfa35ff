import { appendFileSync, existsSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import path from 'path';

/**
 * The reliability suite's figures: each scenario appends one JSON line to the file named by
 * `MANDO_RELIABILITY_FIGURES` (scripts/test-reliability.sh sets it), and
 * `ts-node test/reliability/figures.ts <file>` prints them as a Markdown table.
 */

/** One scenario's figures (counts, except `durationS`). */
export interface ScenarioFigures {
	/** e.g. `1 Downtime`. */
	scenario: string;
	/** Events (or deliveries, for the fuzz) sent. */
	eventsSent: number;
	/** Executions the scenario's workflows had. */
	executions: number;
	/** Events that should have run and did not. */
	lost: number;
	/** Executions beyond one per event. */
	duplicated: number;
	/** Answers with a 5xx status (from n8n, or from the Mando API for the action node). */
	answers5xx: number;
	/** Executions started by unverified (forged, unsigned, wrongly signed) input. */
	forgedExecutions: number;
	/** Occurrences of the API key and webhook secret in logs, execution data and error messages. */
	secretOccurrences: number;
	/** Wall-clock seconds. */
	durationS: number;
	/** A few words on what was measured. */
	note?: string;
}

/** The figures file (see the module comment). */
export function figuresFile(): string {
	return (
		process.env.MANDO_RELIABILITY_FIGURES ?? path.join(tmpdir(), 'mando-reliability-figures.jsonl')
	);
}

/** Appends one scenario's figures to {@link figuresFile}. */
export function recordFigures(figures: ScenarioFigures): void {
	appendFileSync(figuresFile(), JSON.stringify(figures) + '\n');
	process.stdout.write(`[reliability] figures ${JSON.stringify(figures)}\n`);
}

const COLUMNS: Array<[keyof ScenarioFigures, string]> = [
	['scenario', 'Scenario'],
	['eventsSent', 'Events sent'],
	['executions', 'Executions'],
	['lost', 'Lost'],
	['duplicated', 'Duplicated'],
	['answers5xx', '5xx answers'],
	['forgedExecutions', 'Forged executions'],
	['secretOccurrences', 'Secret occurrences'],
	['durationS', 'Duration (s)'],
	['note', 'Note'],
];

/** The figures as a Markdown table, ordered by scenario number. */
export function figuresTable(rows: ScenarioFigures[]): string {
	const sorted = [...rows].sort(
		(a, b) =>
			parseFloat(a.scenario) - parseFloat(b.scenario) || a.scenario.localeCompare(b.scenario),
	);
	const lines = [
		`| ${COLUMNS.map(([, h]) => h).join(' | ')} |`,
		`|${COLUMNS.map(([k]) => (k === 'scenario' || k === 'note' ? ' --- ' : ' ---: ')).join('|')}|`,
	];
	for (const row of sorted) {
		lines.push(
			`| ${COLUMNS.map(([k]) => (k === 'durationS' ? row.durationS.toFixed(0) : String(row[k] ?? ''))).join(' | ')} |`,
		);
	}
	return lines.join('\n');
}

/** Reads a figures file (missing: no rows). */
export function readFigures(file: string): ScenarioFigures[] {
	if (!existsSync(file)) return [];
	return readFileSync(file, 'utf8')
		.split('\n')
		.filter(Boolean)
		.map((line) => JSON.parse(line) as ScenarioFigures);
}

if (require.main === module) {
	const rows = readFigures(process.argv[2] ?? figuresFile());
	process.stdout.write(rows.length ? figuresTable(rows) + '\n' : '(no figures recorded)\n');
}
