import { describe, expect, it } from 'vitest';

import { diff, problemsByField } from './document';

describe('the policy document helpers', () => {
  it('lists each changed leaf by its path', () => {
    const before = { max_reasons: 4, rules: [{ value: '580' }, { value: '0.45' }] };
    const after = { max_reasons: 4, rules: [{ value: '600' }, { value: '0.45' }], extra: true };
    expect(diff(before, after)).toEqual([
      { path: 'rules.0.value', before: '"580"', after: '"600"' },
      { path: 'extra', before: '—', after: 'true' },
    ]);
  });

  it('files each problem under its field', () => {
    const details = [
      { loc: ['document', 'approval_chains', 1, 'above'], msg: 'Overlaps the band below it.', type: 'overlap' },
      { loc: ['document', 'max_reasons'], msg: 'Too many.', type: 'less_than_equal' },
    ];
    expect(problemsByField(details)).toEqual({
      'approval_chains.1.above': 'Overlaps the band below it.',
      max_reasons: 'Too many.',
    });
  });
});
