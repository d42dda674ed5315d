// Chat, people (with the host's lobby, hands and room switches) and files, as tabs. On a phone
// the panel is a drawer over the video.
import { Hand, X } from 'lucide-react';
import { useI18n, type MessageKey } from '../i18n';
import type { RoomEvents, RoomEventsDispatch } from './useRoomEvents';
import { ChatPanel } from './ChatPanel';
import { FilesPanel } from './FilesPanel';
import { HandsPanel } from './HandsPanel';
import { LobbyPanel } from './LobbyPanel';
import { ParticipantsPanel } from './ParticipantsPanel';
import { RoomSettings } from './RoomSettings';
import { ErrorText } from '../components/ErrorText';

export type Tab = 'chat' | 'people' | 'files';
const tabs: { id: Tab; label: MessageKey }[] = [
  { id: 'chat', label: 'panel.chat' },
  { id: 'people', label: 'panel.people' },
  { id: 'files', label: 'panel.files' },
];

interface Props {
  roomId: string;
  isHost: boolean;
  myIdentity: string;
  events: RoomEvents;
  dispatch: RoomEventsDispatch;
  open: boolean;
  tab: Tab;
  onTab: (tab: Tab) => void;
  /** Others' chat messages not seen yet. */
  unread: number;
  onClose: () => void;
}

export function SidePanel({ roomId, isHost, myIdentity, events, dispatch, open, tab, onTab, unread, onClose }: Props) {
  const { t } = useI18n();
  const waiting = isHost ? events.lobby.length : 0;
  const hands = events.hands.length;
  const room = events.room;

  return (
    // A named region of the call's <main> (an <aside> would have to stand outside it).
    <section id="side-panel" className={`side-panel${open ? ' open' : ''}`} aria-label={t('panel.label')}>
      <div className="row between">
        <div role="tablist" className="tabs" aria-label={t('panel.label')}>
          {tabs.map(({ id, label }) => (
            <button
              key={id}
              type="button"
              role="tab"
              id={`tab-${id}`}
              aria-selected={tab === id}
              aria-controls={`tabpanel-${id}`}
              onClick={() => onTab(id)}
            >
              {t(label)}
              {id === 'chat' && unread > 0 && (
                <span className="badge" role="img" aria-label={t('chat.unread', { n: unread })}>
                  {unread}
                </span>
              )}
              {id === 'people' && hands > 0 && (
                <span className="badge hand" role="img" aria-label={t('hands.count', { n: hands })}>
                  <Hand aria-hidden="true" size={14} />
                  {hands}
                </span>
              )}
              {id === 'people' && waiting > 0 && (
                <span className="badge alert" role="img" aria-label={t('lobby.waitingCount', { n: waiting })}>
                  {waiting}
                </span>
              )}
            </button>
          ))}
        </div>
        <button type="button" className="close-panel" onClick={onClose} aria-label={t('panel.close')}>
          <X aria-hidden="true" size={18} />
        </button>
      </div>
      {/* Every panel stays mounted, the inactive ones hidden: a chat draft, a failed message
          waiting for its retry and an upload's error outlive a look at another tab. */}
      <div role="tabpanel" id="tabpanel-chat" aria-labelledby="tab-chat" className="tabpanel" hidden={tab !== 'chat'}>
        <ErrorText error={events.chatError} />
        <ChatPanel
          roomId={roomId}
          messages={events.messages}
          myIdentity={myIdentity}
          enabled={isHost || (room?.chatEnabled ?? true)}
          isHost={isHost}
          active={tab === 'chat'}
          dispatch={dispatch}
        />
      </div>
      <div role="tabpanel" id="tabpanel-people" aria-labelledby="tab-people" className="tabpanel" hidden={tab !== 'people'}>
        <div className="stack">
          {isHost && <LobbyPanel roomId={roomId} lobby={events.lobby} locked={room?.locked ?? false} />}
          <HandsPanel roomId={roomId} hands={events.hands} isHost={isHost} />
          <ParticipantsPanel roomId={roomId} isHost={isHost} hands={events.hands} />
          {isHost && room && <RoomSettings roomId={roomId} room={room} />}
        </div>
      </div>
      <div role="tabpanel" id="tabpanel-files" aria-labelledby="tab-files" className="tabpanel" hidden={tab !== 'files'}>
        <ErrorText error={events.filesError} />
        <FilesPanel
          roomId={roomId}
          files={events.files}
          myIdentity={myIdentity}
          enabled={isHost || (room?.filesEnabled ?? true)}
          isHost={isHost}
          dispatch={dispatch}
        />
      </div>
    </section>
  );
}
