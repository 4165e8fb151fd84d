import { render, type RenderResult } from '@testing-library/react';
import type { ReactElement } from 'react';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router';
import { vi } from 'vitest';

import type { User } from '../api/types';
import { AppProviders } from '../AppProviders';

export function makeUser(changes: Partial<User> = {}): User {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    username: 'alice',
    email: 'alice@example.com',
    full_name: 'Alice Applicant',
    role: 'applicant',
    is_active: true,
    created_at: '2026-11-01T10:00:00Z',
    email_verified: true,
    ...changes,
  };
}

/** Shows where the app navigated to, for assertions on drill-down and redirects. */
function LocationProbe() {
  const location = useLocation();
  return <output data-testid="location">{`${location.pathname}${location.search}`}</output>;
}

/** Render `element` at `url`, matched by the route `path`, inside the app's theme and language. */
export function renderAt(
  element: ReactElement,
  { url = '/', path = '*', state }: { url?: string; path?: string; state?: unknown } = {},
): RenderResult {
  const [pathname = '/', search = ''] = url.split('?');
  return render(
    <AppProviders>
      <MemoryRouter initialEntries={[{ pathname, search: search ? `?${search}` : '', state }]}>
        <Routes>
          <Route path={path} element={element} />
          <Route path="*" element={null} />
        </Routes>
        <LocationProbe />
      </MemoryRouter>
    </AppProviders>,
  );
}

/** A phone-sized screen for the rest of the test: every "max-width" media query matches. Undo with vi.restoreAllMocks(). */
export function emulatePhone(): void {
  vi.spyOn(window, 'matchMedia').mockImplementation(
    (query: string) =>
      ({
        matches: query.includes('max-width'),
        media: query,
        onchange: null,
        addEventListener: () => undefined,
        removeEventListener: () => undefined,
        addListener: () => undefined,
        removeListener: () => undefined,
        dispatchEvent: () => false,
      }) as MediaQueryList,
  );
}
