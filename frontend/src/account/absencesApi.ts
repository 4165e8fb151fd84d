// The out-of-office API (GET/POST /users/{me|id}/absences, DELETE …/{absence_id}, GET
// …/absences/delegates), kept beside its screen. `me` is the signed-in user; another user's
// id is an administrator's call.
import { http } from '../api/client';
import type { components } from '../api/schema';

export type Absence = components['schemas']['AbsenceOut'];
export type AbsenceIn = components['schemas']['AbsenceIn'];
export type DelegateCandidate = components['schemas']['DelegateCandidate'];

type Options = { signal?: AbortSignal };

/** The longest window the API accepts (shared/approvals/schemas.py MAX_ABSENCE_DAYS). */
export const MAX_ABSENCE_DAYS = 90;

function base(userId: string): string {
  return `/users/${userId === 'me' ? 'me' : encodeURIComponent(userId)}/absences`;
}

export async function listAbsences(userId: string, options: Options = {}): Promise<Absence[]> {
  return (await http.get<Absence[]>(base(userId), options)).data;
}

export async function listDelegates(userId: string, options: Options = {}): Promise<DelegateCandidate[]> {
  return (await http.get<DelegateCandidate[]>(`${base(userId)}/delegates`, options)).data;
}

export async function createAbsence(userId: string, body: AbsenceIn): Promise<Absence> {
  return (await http.post<Absence>(base(userId), body)).data;
}

export async function cancelAbsence(userId: string, absenceId: string): Promise<Absence> {
  return (await http.delete<Absence>(`${base(userId)}/${encodeURIComponent(absenceId)}`)).data;
}
