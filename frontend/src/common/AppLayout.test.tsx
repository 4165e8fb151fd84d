import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import { useAuth } from '../auth/AuthProvider';
import { i18n } from '../i18n';
import { makeUser, renderAt } from '../test/render';
import { AppLayout } from './AppLayout';

vi.mock('../auth/AuthProvider');

describe('the app frame', () => {
  beforeEach(() => {
    vi.mocked(useAuth).mockReturnValue({ status: 'signed-in', user: makeUser(), notice: null, login: vi.fn(), logout: vi.fn(), reloadUser: vi.fn() });
  });

  it('puts each drawer link in its own list item', async () => {
    renderAt(<AppLayout />);
    await userEvent.click(screen.getByRole('button', { name: 'Open navigation' }));
    const drawer = document.getElementById('nav-drawer');
    if (!drawer) throw new Error('no drawer');
    const list = within(drawer).getByRole('list');
    const items = within(list).getAllByRole('listitem');
    expect(items.map((item) => within(item).getByRole('link').textContent)).toEqual(['New request', 'My requests', 'Notifications']);
    expect([...list.children].every((child) => child.tagName === 'LI')).toBe(true);
  });

  it('switches the language, remembers it, and tells the page', async () => {
    renderAt(<AppLayout />);
    await userEvent.click(screen.getByRole('button', { name: 'EN, Language: English' }));
    await userEvent.click(screen.getByRole('menuitem', { name: 'Português (Brasil)' }));

    expect(await screen.findByRole('button', { name: 'Sair' })).toBeVisible();
    expect(screen.getByRole('link', { name: 'Minhas solicitações' })).toBeVisible();
    expect(document.documentElement.lang).toBe('pt-BR');
    expect(localStorage.getItem('credit-approval.language')).toBe('pt-BR');
    expect(i18n.resolvedLanguage).toBe('pt-BR');
  });

  it('toggles the theme and remembers the choice', async () => {
    renderAt(<AppLayout />);
    await userEvent.click(screen.getByRole('button', { name: 'Switch to the dark theme' }));

    expect(await screen.findByRole('button', { name: 'Switch to the light theme' })).toBeVisible();
    await waitFor(() => expect(document.documentElement.getAttribute('data-color-scheme')).toBe('dark'));
    expect(localStorage.getItem('credit-approval.color-mode')).toBe('dark');
  });
});
