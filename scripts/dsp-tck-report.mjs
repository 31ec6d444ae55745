// Prints one line per Dataspace TCK test from the JUnit XML report that scripts/dsp-tck.sh writes, sorted by
// test id (MET, CAT, CN, CN_C, TP, TP_C), then the plain closing line "N passed, N failed, N skipped".
// Exits 1 when a test failed or the report has no test. Usage: node scripts/dsp-tck-report.mjs <TEST-*.xml>
//
// DSP_TCK_EXPECTED_FAILURES=<file>: known failures, one `<test id> <reason>` a line (`#` comments). A listed
// test that fails prints XFAIL with the reason and does not fail the run; a listed test that passes is
// reported so that the list can shrink. Any failure not listed fails the run.
import { readFileSync } from 'node:fs';

const file = process.argv[2];
if (!file) {
  console.error('usage: node scripts/dsp-tck-report.mjs <TEST-junit-jupiter.xml>');
  process.exit(2);
}

/** The known failures: test id -> reason. */
function expectedFailures(path) {
  const expected = new Map();
  if (!path) return expected;
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    console.error(`[dsp-tck] DSP_TCK_EXPECTED_FAILURES=${path}: no such file`);
    process.exit(2);
  }
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) continue;
    const [, id, reason] = /^(\S+)\s+(.+)$/.exec(line) ?? [];
    if (!id || !/^(MET|CAT|CN|CN_C|TP|TP_C):\d\d-\d\d$/.test(id) || !reason) {
      console.error(`[dsp-tck] ${path}: '${raw}' is not '<test id> <reason>'`);
      process.exit(2);
    }
    expected.set(id, reason.trim());
  }
  return expected;
}
const expected = expectedFailures(process.env.DSP_TCK_EXPECTED_FAILURES);

let xml;
try {
  xml = readFileSync(file, 'utf8');
} catch {
  console.error(`[dsp-tck] no report at ${file}: the TCK did not run`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const unescape = (s) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, n) => String.fromCodePoint(Number(n)))
    .replace(/&amp;/g, '&');

const order = ['MET', 'CAT', 'CN', 'CN_C', 'TP', 'TP_C'];
const rank = (id) => {
  const group = id.split(':')[0];
  const i = order.indexOf(group);
  return `${String(i < 0 ? 99 : i).padStart(2, '0')}${id}`;
};

const results = [];
for (const [, attrs, body = ''] of xml.matchAll(/<testcase\b([^>]*?)(?:\/>|>([\s\S]*?)<\/testcase>)/g)) {
  const method = /\bname="([^"]*)"/.exec(attrs)?.[1] ?? '?';
  const displayName = /display-name: (.*)/.exec(body)?.[1]?.trim() ?? method;
  const [, id = displayName, title = ''] = /^([A-Z_]+:\d\d-\d\d): (.*)$/.exec(displayName) ?? [];
  const failure = /<(failure|error)\b([^>]*)>/.exec(body);
  const skipped = /<skipped\b/.test(body);
  const status = failure ? 'FAIL' : skipped ? 'SKIP' : 'PASS';
  let reason = '';
  if (failure) {
    const message = /\bmessage="([^"]*)"/.exec(failure[2])?.[1];
    const type = /\btype="([^"]*)"/.exec(failure[2])?.[1]?.split('.').pop();
    reason = unescape([type, message].filter(Boolean).join(': ')).replace(/\s+/g, ' ');
  } else if (skipped) {
    reason = /@Disabled/.test(body) ? 'disabled in the TCK' : 'skipped';
  }
  const testId = unescape(id);
  const known = expected.get(testId);
  if (status === 'FAIL' && known) {
    results.push({
      id: testId,
      title: unescape(title),
      status: 'XFAIL',
      reason: `expected: ${known} (${reason})`,
    });
  } else {
    results.push({ id: testId, title: unescape(title), status, reason });
  }
}

results.sort((a, b) => rank(a.id).localeCompare(rank(b.id)));
console.log('\nDataspace TCK results');
for (const r of results) {
  const line = `${r.status.padEnd(5)} ${r.id.padEnd(11)} ${r.title}`;
  console.log(r.reason ? `${line}\n        -> ${r.reason.slice(0, 400)}` : line);
}
const count = (s) => results.filter((r) => r.status === s).length;
const [passed, failed, skipped, xfailed] = [count('PASS'), count('FAIL'), count('SKIP'), count('XFAIL')];
const fixed = results.filter((r) => r.status === 'PASS' && expected.has(r.id)).map((r) => r.id);
if (fixed.length > 0)
  console.log(`\nlisted as expected failures but passed (remove them from the list): ${fixed.join(', ')}`);
console.log(
  `\n${passed} passed, ${failed} failed` +
    (xfailed ? `, ${xfailed} expected failures` : '') +
    (skipped ? `, ${skipped} skipped` : ''),
);
process.exit(failed > 0 || results.length === 0 ? 1 : 0);
