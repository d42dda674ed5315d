// Chat with an optimistic UI: a sent message shows at once as "sending"; the confirmed copy
// (from the answer or the event stream, whichever comes first) replaces it by clientId; a failed
// one offers a retry with the same clientId, so the server never stores it twice.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useI18n } from '../i18n';
import { api } from '../lib/api';
import { errorText } from '../lib/errors';
import { time } from '../lib/format';
import type { ChatMessage } from '../lib/types';
import type { RoomEventsDispatch } from './useRoomEvents';
import { ErrorText } from '../components/ErrorText';

interface Pending {
  clientId: string;
  text: string;
  failed: unknown;
}

interface Props {
  roomId: string;
  messages: ChatMessage[];
  myIdentity: string;
  enabled: boolean;
  isHost: boolean;
  /** The chat's tab is the one shown (the panel stays mounted behind the others). */
  active: boolean;
  dispatch: RoomEventsDispatch;
}

const newClientId = () => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;

export function ChatPanel({ roomId, messages, myIdentity, enabled, isHost, active, dispatch }: Props) {
  const { t, lang } = useI18n();
  const [text, setText] = useState('');
  const [pending, setPending] = useState<Pending[]>([]);
  const [deleteError, setDeleteError] = useState<unknown>(null);
  const listRef = useRef<HTMLDivElement>(null);

  const confirmedIds = new Set(messages.map((m) => m.clientId).filter(Boolean));
  const waiting = pending.filter((p) => !confirmedIds.has(p.clientId));

  // To the newest message, also on coming back to the tab (a hidden list does not scroll).
  useEffect(() => {
    if (active) listRef.current?.scrollTo({ top: listRef.current.scrollHeight });
  }, [messages.length, waiting.length, active]);

  const send = (p: Pending) => {
    setPending((list) => [...list.filter((x) => x.clientId !== p.clientId), { ...p, failed: null }]);
    api<ChatMessage>('POST', `/api/rooms/${roomId}/chat`, { text: p.text, clientId: p.clientId })
      .then((msg) => {
        dispatch({ type: 'messages', messages: [msg] });
        setPending((list) => list.filter((x) => x.clientId !== p.clientId));
      })
      .catch((failed: unknown) =>
        setPending((list) => list.map((x) => (x.clientId === p.clientId ? { ...x, failed } : x))),
      );
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const clean = text.trim();
    if (!clean) return;
    setText('');
    send({ clientId: newClientId(), text: clean, failed: null });
  };

  const remove = (id: string) => {
    setDeleteError(null);
    api('DELETE', `/api/rooms/${roomId}/chat/${id}`).catch(setDeleteError);
  };

  return (
    <div className="chat">
      {/* The log is the scrolling box around the list (an <ol> given role="log" is no longer a
          list, and its items would be list items outside any list); focusable, so that the
          keyboard can scroll it. */}
      <div className="messages" ref={listRef} role="log" aria-label={t('chat.messages')} tabIndex={0}>
        <ol>
          {messages.length === 0 && waiting.length === 0 && <li className="muted">{t('chat.empty')}</li>}
          {messages.map((m) => (
            <li key={m.id} className={m.identity === myIdentity ? 'mine' : undefined}>
              <span className="who">{m.name}</span>{' '}
              {m.host && <span className="badge host-badge">{t('people.host')}</span>}{' '}
              <time dateTime={m.createdAt}>{time(m.createdAt, lang)}</time>
              <p className="text">{m.text}</p>
              {isHost && (
                <button type="button" className="link small" onClick={() => remove(m.id)}>
                  {t('chat.delete')}
                </button>
              )}
            </li>
          ))}
          {waiting.map((p) => (
            <li key={p.clientId} className="mine pending">
              <p className="text">{p.text}</p>
              {p.failed ? (
                <span className="error">
                  {errorText(t, p.failed, lang)}{' '}
                  <button type="button" className="link small" onClick={() => send(p)}>
                    {t('chat.retry')}
                  </button>
                </span>
              ) : (
                <span className="muted small">{t('chat.sending')}</span>
              )}
            </li>
          ))}
        </ol>
      </div>
      <ErrorText error={deleteError} />
      {enabled ? (
        <form onSubmit={onSubmit} className="row">
          <label className="grow">
            <span className="visually-hidden">{t('chat.message')}</span>
            <textarea
              value={text}
              maxLength={2000}
              rows={2}
              placeholder={t('chat.placeholder')}
              onChange={(e) => setText(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && !e.shiftKey) {
                  e.preventDefault();
                  e.currentTarget.form?.requestSubmit();
                }
              }}
            />
          </label>
          <button type="submit" className="primary">
            {t('chat.send')}
          </button>
        </form>
      ) : (
        <p className="muted">{t('chat.disabled')}</p>
      )}
    </div>
  );
}
