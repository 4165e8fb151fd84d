import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import { ApiError } from '../api/errors';
import { useUser } from '../auth/AuthProvider';
import { makeUser, renderAt } from '../test/render';
import { NotificationsPage } from './NotificationsPage';
import * as api from './notificationsApi';
import type { NotificationPreferences } from './notificationsApi';

vi.mock('./notificationsApi');
vi.mock('../auth/AuthProvider');

const DEFAULTS: NotificationPreferences = {
  channels: [
    { channel: 'email', label: 'Email', enabled: true, settings: {}, shown_once: {} },
    {
      channel: 'webhook',
      label: 'Webhook',
      enabled: false,
      settings: { url: null, signing_secret_set: false },
      shown_once: {},
    },
    { channel: 'chat', label: 'Slack or Teams', enabled: false, settings: { url: null, format: 'slack' }, shown_once: {} },
  ],
};

function section(name: string) {
  return within(screen.getByRole('region', { name }));
}

describe('NotificationsPage', () => {
  beforeEach(() => {
    vi.resetAllMocks();
    vi.mocked(useUser).mockReturnValue(makeUser({ email: 'alice@example.com' }));
    vi.mocked(api.getNotificationPreferences).mockResolvedValue(DEFAULTS);
  });

  it('shows each channel with email on by default', async () => {
    renderAt(<NotificationsPage />, { url: '/account/notifications' });
    expect(await screen.findByRole('region', { name: 'Email' })).toBeVisible();
    expect(screen.getByRole('heading', { level: 1, name: 'Notifications' })).toBeVisible();
    expect(screen.getByText(/Email goes to alice@example.com/)).toBeVisible();
    expect(section('Email').getByRole('switch', { name: 'Send me emails' })).toBeChecked();
    expect(section('Webhook').getByRole('switch', { name: 'Send signed webhooks to my server' })).not.toBeChecked();
    expect(section('Slack or Teams').getByRole('combobox', { name: 'Message format' })).toHaveTextContent('Slack');
  });

  it('saves a webhook in one request and shows its signing secret once', async () => {
    const secret = 'whsec_c2VjcmV0LXNob3duLW9uY2U=';
    vi.mocked(api.saveNotificationPreferences).mockResolvedValue({
      channels: DEFAULTS.channels.map((c) =>
        c.channel === 'webhook'
          ? {
              ...c,
              enabled: true,
              settings: { url: 'https://hooks.example.com/credit', signing_secret_set: true },
              shown_once: { signing_secret: secret },
            }
          : c,
      ),
    });
    renderAt(<NotificationsPage />, { url: '/account/notifications' });
    const webhook = await screen.findByRole('region', { name: 'Webhook' });
    await userEvent.click(within(webhook).getByRole('switch', { name: 'Send signed webhooks to my server' }));
    await userEvent.type(within(webhook).getByRole('textbox', { name: 'Webhook URL' }), ' https://hooks.example.com/credit ');
    await userEvent.click(screen.getByRole('button', { name: 'Save notification settings' }));

    expect(vi.mocked(api.saveNotificationPreferences)).toHaveBeenCalledTimes(1);
    expect(vi.mocked(api.saveNotificationPreferences)).toHaveBeenCalledWith([
      { channel: 'email', enabled: true, settings: {} },
      { channel: 'webhook', enabled: true, settings: { url: 'https://hooks.example.com/credit' } },
      { channel: 'chat', enabled: false, settings: { url: null, format: 'slack' } },
    ]);
    expect(await screen.findByText('Your notification settings are saved.')).toBeVisible();
    expect(screen.getByTestId('webhook-secret')).toHaveTextContent(secret);
    expect(screen.getByText(/shown this once/)).toBeVisible();
    expect(
      within(screen.getByRole('region', { name: 'Webhook' })).getByRole('checkbox', { name: /Make a new signing secret/ }),
    ).not.toBeChecked();
  });

  it('puts a refused URL on its field, with the API’s reason', async () => {
    vi.mocked(api.saveNotificationPreferences).mockRejectedValue(
      new ApiError(422, 'invalid_channel_settings', 'The Slack or Teams settings are not valid.', [
        {
          loc: ['channels', 2, 'settings', 'url'],
          msg: "Value error, The host '169.254.169.254' points to a link-local or cloud metadata address.",
          type: 'value_error',
        },
      ]),
    );
    renderAt(<NotificationsPage />, { url: '/account/notifications' });
    const chat = await screen.findByRole('region', { name: 'Slack or Teams' });
    await userEvent.type(within(chat).getByRole('textbox', { name: 'Slack or Teams URL' }), 'https://169.254.169.254/');
    await userEvent.click(screen.getByRole('button', { name: 'Save notification settings' }));

    const field = await within(chat).findByRole('textbox', { name: 'Slack or Teams URL' });
    expect(field).toHaveAccessibleDescription(
      "The host '169.254.169.254' points to a link-local or cloud metadata address.",
    );
    expect(field).toHaveAttribute('aria-invalid', 'true');
    expect(screen.queryByText('Your notification settings are saved.')).not.toBeInTheDocument();
  });

  it('asks for a new secret only when the person ticks the box', async () => {
    vi.mocked(api.getNotificationPreferences).mockResolvedValue({
      channels: DEFAULTS.channels.map((c) =>
        c.channel === 'webhook'
          ? { ...c, enabled: true, settings: { url: 'https://hooks.example.com/x', signing_secret_set: true } }
          : c,
      ),
    });
    vi.mocked(api.saveNotificationPreferences).mockResolvedValue(DEFAULTS);
    renderAt(<NotificationsPage />, { url: '/account/notifications' });
    const webhook = await screen.findByRole('region', { name: 'Webhook' });
    expect(within(webhook).getByText(/A signing secret is set/)).toBeVisible();
    await userEvent.click(within(webhook).getByRole('checkbox', { name: /Make a new signing secret/ }));
    await userEvent.click(screen.getByRole('button', { name: 'Save notification settings' }));

    const sent = vi.mocked(api.saveNotificationPreferences).mock.calls[0]?.[0];
    expect(sent?.find((c) => c.channel === 'webhook')).toEqual({
      channel: 'webhook',
      enabled: true,
      settings: { url: 'https://hooks.example.com/x' },
      rotate_secret: true,
    });
  });
});
