/**
 * Who reads a request page. Applicants see their request in plain words: no staff usernames (a
 * role at most), no internal risk tier, no reason codes. Staff see the whole record.
 */
export type Audience = 'applicant' | 'staff';

export function audienceOf(role: string | undefined): Audience {
  return role === 'applicant' ? 'applicant' : 'staff';
}
