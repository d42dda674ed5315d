// The host's lobby queue, live from the room's event stream. While the room is locked nobody
// can be let in as such: each knock offers "unlock and admit" instead.
import { useState } from 'react';
import { LockOpen } from 'lucide-react';
import { useI18n } from '../i18n';
import { api } from '../lib/api';
import type { LobbyEntry } from '../lib/types';
import { ErrorText } from '../components/ErrorText';

type Action = 'approve' | 'unlock_and_approve' | 'reject';

export function LobbyPanel({ roomId, lobby, locked }: { roomId: string; lobby: LobbyEntry[]; locked: boolean }) {
  const { t } = useI18n();
  const [error, setError] = useState<unknown>(null);

  const decide = (body: { entryId: string } | { all: true }, action: Action) => {
    setError(null);
    api('POST', `/api/rooms/${roomId}/lobby`, { ...body, action }).catch(setError);
  };

  return (
    <section className="stack" aria-labelledby="lobby-title">
      <h2 id="lobby-title">{t('lobby.title', { n: lobby.length })}</h2>
      <ErrorText error={error} />
      {lobby.length === 0 ? (
        <p className="muted">{t('lobby.empty')}</p>
      ) : (
        <>
          {locked ? (
            <p className="lock-note">{t('lobby.lockedNote')}</p>
          ) : (
            <div className="row wrap">
              <button type="button" className="small primary" onClick={() => decide({ all: true }, 'approve')}>
                {t('lobby.approveAll')}
              </button>
              <button type="button" className="small" onClick={() => decide({ all: true }, 'reject')}>
                {t('lobby.rejectAll')}
              </button>
            </div>
          )}
          <ul className="list">
            {lobby.map((e) => (
              <li key={e.entryId} className="row between wrap">
                <span className="stack tight">
                  <strong>{e.name}</strong>
                  {locked && <span className="muted small">{t('lobby.knockedWhileLocked')}</span>}
                </span>
                <span className="row wrap">
                  {locked ? (
                    <button
                      type="button"
                      className="small primary"
                      aria-label={t('lobby.unlockAdmitName', { name: e.name })}
                      onClick={() => decide({ entryId: e.entryId }, 'unlock_and_approve')}
                    >
                      <LockOpen aria-hidden="true" size={14} /> {t('lobby.unlockAdmit')}
                    </button>
                  ) : (
                    <button
                      type="button"
                      className="small primary"
                      aria-label={t('lobby.approveName', { name: e.name })}
                      onClick={() => decide({ entryId: e.entryId }, 'approve')}
                    >
                      {t('lobby.approve')}
                    </button>
                  )}
                  <button
                    type="button"
                    className="small"
                    aria-label={t('lobby.rejectName', { name: e.name })}
                    onClick={() => decide({ entryId: e.entryId }, 'reject')}
                  >
                    {t('lobby.reject')}
                  </button>
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
