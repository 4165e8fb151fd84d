import { describe, expect, it } from 'vitest';

import { en } from './en';
import { initialLanguage } from './index';
import { APPLICANT_SECTIONS, ptBR } from './ptBR';

function keys(node: unknown, prefix = ''): string[] {
  if (typeof node === 'string') return [prefix];
  return Object.entries(node as Record<string, unknown>).flatMap(([key, value]) => keys(value, prefix ? `${prefix}.${key}` : key));
}

function placeholders(text: string): string[] {
  return [...text.matchAll(/{{(\w+)}}|<(\w+)>/g)].map((m) => m[1] ?? m[2] ?? '').sort();
}

describe('the translations', () => {
  it('cover every string of the applicant screens in Portuguese', () => {
    for (const section of APPLICANT_SECTIONS) {
      expect(keys(ptBR[section], section)).toEqual(keys(en[section], section));
    }
  });

  it('keep every placeholder and tag of the English text', () => {
    const lookup = (tree: unknown, path: string) => path.split('.').reduce<unknown>((n, k) => (n as Record<string, unknown>)[k], tree);
    for (const section of APPLICANT_SECTIONS) {
      for (const key of keys(en[section], section)) {
        expect([key, placeholders(lookup(ptBR, key) as string)]).toEqual([key, placeholders(lookup(en, key) as string)]);
      }
    }
  });

  it("start in the person's saved choice, else the browser's language, else English", () => {
    localStorage.setItem('credit-approval.language', 'pt-BR');
    expect(initialLanguage()).toBe('pt-BR');
    localStorage.setItem('credit-approval.language', 'xx');
    expect(initialLanguage()).toBe('en');
  });
});
