import { useI18n } from '../i18n';
import type { ChatMessage } from '../lib/types';
import { time } from '../lib/format';

export function ChatLog({ messages }: { messages: ChatMessage[] }) {
  const { t, lang } = useI18n();
  return (
    <section className="card stack" aria-labelledby="chatlog-title">
      <h2 id="chatlog-title">
        {t('lecture.chat')} <span className="badge">{messages.length}</span>
      </h2>
      {messages.length === 0 ? (
        <p className="muted">{t('chat.empty')}</p>
      ) : (
        // A box that scrolls when long: focusable, so that the keyboard can scroll it too.
        <ol className="chatlog" tabIndex={0} aria-labelledby="chatlog-title">
          {messages.map((m) => (
            <li key={m.id}>
              <time dateTime={m.createdAt}>{time(m.createdAt, lang)}</time> <span className="who">{m.name}</span>
              {m.host && <> <span className="badge host-badge">{t('people.host')}</span></>}
              <p className="text">{m.text}</p>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
