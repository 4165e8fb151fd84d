// The notification preferences API (GET/PUT /users/me/notifications), kept beside its screen.
import { http } from '../api/client';

export interface ChannelPreference {
  channel: string;
  label: string;
  enabled: boolean;
  /** The channel's own settings: webhook {url, signing_secret_set}; chat {url, format}. */
  settings: Record<string, unknown>;
  /** Secrets made by the save that returned this (the webhook's signing_secret): shown once. */
  shown_once: Record<string, string>;
}

export interface NotificationPreferences {
  channels: ChannelPreference[];
}

export interface ChannelChange {
  channel: string;
  enabled: boolean;
  settings?: Record<string, unknown>;
  rotate_secret?: boolean;
}

type Options = { signal?: AbortSignal };

export async function getNotificationPreferences(options: Options = {}): Promise<NotificationPreferences> {
  return (await http.get<NotificationPreferences>('/users/me/notifications', options)).data;
}

export async function saveNotificationPreferences(channels: ChannelChange[]): Promise<NotificationPreferences> {
  return (await http.put<NotificationPreferences>('/users/me/notifications', { channels })).data;
}
