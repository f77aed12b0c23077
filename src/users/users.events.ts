/**
 * Emitted (awaited, via EventEmitter2.emitAsync) when every session of a person must end:
 * deactivation, a second-factor reset. The auth module listens; users never touches sessions.
 */
export const STAFF_SESSIONS_END = 'staff.sessions-end';

export interface StaffSessionsEndEvent {
  userId: string;
  reason: 'deactivated' | 'totp-reset' | 'password-changed';
  /** A session to keep (the caller's own, after a password change). */
  exceptSessionId?: string;
}

/**
 * Emitted (awaited) after a change of what a session carries (roles, training acknowledgement)
 * has committed, so the auth module drops cached sessions of that person on every instance
 * before the change's answer is sent.
 */
export const STAFF_CHANGED = 'staff.changed';

export interface StaffChangedEvent {
  userId: string;
  reason: 'roles-changed' | 'training-acknowledged';
}
