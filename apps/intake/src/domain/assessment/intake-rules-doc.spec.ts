import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INTAKE_RULES_DOC_MARKERS, renderIntakeRulesMarkdown } from './intake-rules-doc';
import { renderRuleTableMarkdown } from './level-of-care-rules';

const docPath = join(__dirname, '../../../../../docs/intake-rules.md');

describe('docs/intake-rules.md', () => {
  const doc = readFileSync(docPath, 'utf8');

  it('prints every level-of-care rule row exactly as the code evaluates it', () => {
    for (const row of renderRuleTableMarkdown().split('\n')) expect(doc).toContain(row);
  });

  it('holds the generated block unchanged (regenerate with renderIntakeRulesMarkdown() after a rule change)', () => {
    const start = doc.indexOf(INTAKE_RULES_DOC_MARKERS.start);
    const end = doc.indexOf(INTAKE_RULES_DOC_MARKERS.end);
    expect(start).toBeGreaterThanOrEqual(0);
    expect(end).toBeGreaterThan(start);
    expect(doc.slice(start, end + INTAKE_RULES_DOC_MARKERS.end.length)).toBe(renderIntakeRulesMarkdown());
  });

  it('says plainly that it is a simplification, not the ASAM Criteria', () => {
    expect(doc).toContain('Decision support, not the ASAM Criteria.');
  });
});
