// API errors as sentences for the user.
import type { MessageKey, Translate } from '../i18n';
import { ApiError } from './api';
import { fileSize } from './format';

const known: Record<string, MessageKey> = {
  network: 'err.network',
  invalid: 'err.invalid',
  unauthorized: 'err.unauthorized',
  invalid_credentials: 'err.invalid_credentials',
  dev_access_required: 'err.dev_access_required',
  forbidden: 'err.forbidden',
  registration_closed: 'err.registration_closed',
  account_disabled: 'err.account_disabled',
  not_admitted: 'err.not_admitted',
  banned: 'err.banned',
  chat_disabled: 'err.chat_disabled',
  files_disabled: 'err.files_disabled',
  wrong_pin: 'err.wrong_pin',
  not_found: 'err.not_found',
  conflict: 'err.conflict',
  own_admin_rights: 'err.own_admin_rights',
  last_admin: 'err.last_admin',
  invalid_setup_token: 'err.invalid_setup_token',
  already_set_up: 'err.already_set_up',
  room_not_live: 'err.room_not_live',
  room_ended: 'err.room_ended',
  room_full: 'err.room_full',
  email_taken: 'err.email_taken',
  too_large: 'err.too_large',
  unsupported: 'err.unsupported',
  file_type_not_allowed: 'err.file_type_not_allowed',
  room_locked: 'err.room_locked',
  rate_limited: 'err.rate_limited',
  too_many_pin_attempts: 'err.too_many_pin_attempts',
  unavailable: 'err.unavailable',
  insufficient_storage: 'err.insufficient_storage',
  insecure_context: 'err.insecure_context',
};

const invalidFields: Record<string, MessageKey> = {
  name: 'err.invalid.name',
  email: 'err.invalid.email',
  password: 'err.invalid.password',
  pin: 'err.invalid.pin',
  maxParticipants: 'err.invalid.maxParticipants',
  text: 'err.invalid.text',
  file: 'err.invalid.file',
};

/** Codes that say only "the server failed" (or that this app asked it wrongly). */
const serverFailures = new Set(['internal', 'method_not_allowed']);

const quotaKeys: Record<string, MessageKey> = {
  room: 'err.quota_exceeded.room',
  host: 'err.quota_exceeded.host',
  instance: 'err.quota_exceeded.instance',
};

/** Which storage quota is full and how much of it is used, from the error's details. */
function quotaText(t: Translate, err: ApiError, lang: string): string | undefined {
  const d = err.details ?? {};
  const key = typeof d.quota === 'string' ? quotaKeys[d.quota] : undefined;
  if (!key || typeof d.usedBytes !== 'number' || typeof d.limitBytes !== 'number') return undefined;
  return t(key, { used: fileSize(d.usedBytes, lang), limit: fileSize(d.limitBytes, lang) });
}

/** err as a sentence; lang formats the numbers some errors carry (sizes). */
export function errorText(t: Translate, err: unknown, lang: string): string {
  if (err instanceof ApiError && err.code === 'quota_exceeded') {
    return quotaText(t, err, lang) ?? t('err.quota_exceeded');
  }
  if (err instanceof ApiError) {
    const key = known[err.code];
    if (key) {
      const fieldKey = err.code === 'invalid' && err.field ? invalidFields[err.field] : undefined;
      let text = t(fieldKey ?? key);
      if (err.retryAfter) text += ' ' + t('err.retryAfter', { seconds: err.retryAfter });
      return text;
    }
    if (serverFailures.has(err.code) || err.status >= 500) {
      return err.requestId ? `${t('err.server')} ${t('err.requestId', { id: err.requestId })}` : t('err.server');
    }
    return t('err.unknown', { code: err.code, message: err.message });
  }
  if (err instanceof Error && known[err.message]) return t(known[err.message]!);
  return t('err.unknown', { code: 'client', message: err instanceof Error ? err.message : String(err) });
}
