import { useState } from 'react';
import { useI18n } from '../i18n';
import { api, ApiError } from '../lib/api';
import { ErrorText } from '../components/ErrorText';
import { CopyField } from '../components/CopyField';

interface Props {
  lectureId: string;
  /** Whether the instance has Google Drive configured: without it, no Drive button. */
  drive: boolean;
}

/** The owner's extra ways out for a lecture: its PDF to Google Drive (where the instance has
 * it), and a share link. */
export function OwnerActions({ lectureId, drive }: Props) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const [needsDrive, setNeedsDrive] = useState(false);
  const [shareUrl, setShareUrl] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const base = `/api/lectures/${encodeURIComponent(lectureId)}`;

  const toDrive = async () => {
    setBusy(true);
    setError(null);
    setSaved(null);
    try {
      const res = await api<{ fileId: string; name: string }>('POST', `${base}/export/drive`);
      setSaved(res.name);
      setNeedsDrive(false);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'drive_not_connected') setNeedsDrive(true);
      else setError(e);
    } finally {
      setBusy(false);
    }
  };

  const share = async (enabled: boolean) => {
    setBusy(true);
    setError(null);
    try {
      const res = await api<{ url?: string }>('POST', `${base}/share`, { enabled });
      setShareUrl(enabled ? (res.url ?? null) : null);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="stack tight">
      <div className="row wrap" role="group" aria-label={t('lecture.more')}>
        {drive && (
          <button type="button" onClick={() => void toDrive()} disabled={busy}>
            {t('lecture.toDrive')}
          </button>
        )}
        {shareUrl ? (
          <button type="button" onClick={() => void share(false)} disabled={busy}>
            {t('lecture.shareStop')}
          </button>
        ) : (
          <button type="button" onClick={() => void share(true)} disabled={busy}>
            {t('lecture.shareStart')}
          </button>
        )}
      </div>
      {saved && (
        <p role="status" className="muted">
          {t('lecture.savedToDrive', { name: saved })}
        </p>
      )}
      {needsDrive && (
        <p role="alert">
          {t('lecture.driveNotConnected')} <a href="/api/drive/connect">{t('lecture.driveConnect')}</a>
        </p>
      )}
      {shareUrl && <CopyField label={t('lecture.shareLink')} value={shareUrl} />}
      <ErrorText error={error} />
    </div>
  );
}
