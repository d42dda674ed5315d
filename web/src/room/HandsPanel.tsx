// Raised hands in the order they went up; the host can lower one.
import { useState } from 'react';
import { Hand as HandIcon } from 'lucide-react';
import { useHandSound } from './handSound';
import { useI18n } from '../i18n';
import type { Hand } from '../lib/types';
import { ErrorText } from '../components/ErrorText';
import { moderate } from './moderate';

export function HandsPanel({ roomId, hands, isHost }: { roomId: string; hands: Hand[]; isHost: boolean }) {
  const { t } = useI18n();
  const [error, setError] = useState<unknown>(null);
  const [sound, setSound] = useHandSound();
  const queue = [...hands].sort((a, b) => (a.raisedAt ?? '').localeCompare(b.raisedAt ?? ''));

  return (
    <section className="stack" aria-labelledby="hands-title">
      <h2 id="hands-title">{t('hands.title', { n: queue.length })}</h2>
      {isHost && (
        <label className="check">
          <input type="checkbox" checked={sound} onChange={(e) => setSound(e.target.checked)} />
          {t('hands.sound')}
        </label>
      )}
      <ErrorText error={error} />
      {queue.length === 0 ? (
        <p className="muted">{t('hands.empty')}</p>
      ) : (
        <ol className="list">
          {queue.map((h) => (
            <li key={h.identity} className="row between">
              <span className="row tight">
                <HandIcon aria-hidden="true" size={16} /> {h.name}
              </span>
              {isHost && (
                <button
                  type="button"
                  className="small"
                  aria-label={t('hands.lowerName', { name: h.name })}
                  onClick={() => {
                    setError(null);
                    moderate(roomId, 'lower_hand', h.identity).catch(setError);
                  }}
                >
                  {t('hands.lower')}
                </button>
              )}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
