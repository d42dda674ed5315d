// The call: video stage, captions, side panel and controls. Lives inside <LiveKitRoom>.
import { useEffect, useMemo, useState } from 'react';
import { RoomAudioRenderer, useConnectionState, useRoomContext } from '@livekit/components-react';
import { ConnectionState } from 'livekit-client';
import { Hand, Link2, LogOut, PanelRight } from 'lucide-react';
import { useI18n } from '../i18n';
import { api } from '../lib/api';
import { publicBase, useInstance } from '../lib/instance';
import { CopyField } from '../components/CopyField';
import { LanguageSelect } from '../components/LanguageSelect';
import { Stage } from './Stage';
import { Captions } from './Captions';
import { SidePanel, type Tab } from './SidePanel';
import { MediaControls } from './MediaControls';
import { HostActions, type PanicResult } from './HostActions';
import { Notices, type Notice } from './Notices';
import { HandsContext } from './handsContext';
import type { RoomEvents, RoomEventsDispatch } from './useRoomEvents';
import { PinAttack } from './PinAttack';

interface Props {
  roomId: string;
  roomName: string;
  roomCode: string;
  /** Whether this instance transcribes calls at all. */
  captions: boolean;
  /** The call is moving to its new video room (a ban moved it). */
  moving: boolean;
  isHost: boolean;
  myIdentity: string;
  events: RoomEvents;
  dispatch: RoomEventsDispatch;
  notices: Notice[];
  onNotice: (text: string) => void;
  onError: (err: unknown) => void;
  onExpire: (id: number) => void;
}

// The phone layout (room.css): the side panel is a drawer, shown only when opened.
const phoneQuery = '(max-width: 760px)';

function usePhone(): boolean {
  const [phone, setPhone] = useState(() => window.matchMedia(phoneQuery).matches);
  useEffect(() => {
    const mq = window.matchMedia(phoneQuery);
    const on = () => setPhone(mq.matches);
    mq.addEventListener('change', on);
    return () => mq.removeEventListener('change', on);
  }, []);
  return phone;
}

export function RoomView(props: Props) {
  const { roomId, roomName, roomCode, captions, moving, isHost, myIdentity, events, dispatch, notices, onNotice, onError, onExpire } =
    props;
  const { t } = useI18n();
  const room = useRoomContext();
  const connection = useConnectionState();
  const phone = usePhone();
  const [panelOpen, setPanelOpen] = useState(false);
  const [tab, setTab] = useState<Tab>('chat');
  const [inviteOpen, setInviteOpen] = useState(false);
  const instance = useInstance();
  const handRaised = events.hands.some((h) => h.identity === myIdentity);
  const raised = useMemo(() => new Set(events.hands.map((h) => h.identity)), [events.hands]);

  // Unread: others' messages newer than the last time the chat was in view.
  const chatInView = tab === 'chat' && (!phone || panelOpen);
  const [seenUntil, setSeenUntil] = useState(() => Date.now());
  const others = events.messages.filter((m) => m.identity !== myIdentity);
  const newest = others.reduce((max, m) => Math.max(max, Date.parse(m.createdAt)), 0);
  useEffect(() => {
    if (chatInView) setSeenUntil((s) => Math.max(s, newest));
  }, [chatInView, newest]);
  const unread = chatInView ? 0 : others.filter((m) => Date.parse(m.createdAt) > seenUntil).length;
  const waiting = isHost ? events.lobby.length : 0;

  const toggleHand = () => {
    api('POST', `/api/rooms/${roomId}/hand-raise`, { raised: !handRaised }).catch(onError);
  };
  const onPanicDone = (r: PanicResult) => onNotice(t('host.panicDone', { removed: r.removed, rejected: r.rejected }));

  return (
    <main className="room" data-lk-theme="default">
      <header className="room-header">
        <div className="row between wrap">
          <h1>{roomName}</h1>
          <span className="row wrap">
            {events.room?.locked && <span className="badge">{t('room.locked')}</span>}
            {(moving || connection === ConnectionState.Reconnecting) && <span className="badge alert">{t('call.reconnecting')}</span>}
            {events.stream === 'reconnecting' && <span className="badge alert">{t('room.reconnecting')}</span>}
            {events.stream === 'closed' && <span className="badge alert">{t('room.streamClosed')}</span>}
            <button
              type="button"
              className="small invite-toggle"
              aria-expanded={inviteOpen}
              aria-controls="invite"
              onClick={() => setInviteOpen(!inviteOpen)}
            >
              <Link2 aria-hidden="true" size={16} /> {t('call.invite')}
            </button>
            <LanguageSelect />
          </span>
        </div>
        {inviteOpen && (
          <div id="invite" className="invite">
            <CopyField label={t('dash.invite')} value={`${publicBase(instance)}/join/${roomCode}`} />
          </div>
        )}
      </header>
      {isHost && events.pinAttack && (
        <PinAttack roomId={roomId} onError={onError} onDone={() => dispatch({ type: 'pinAttack', on: false })} />
      )}
      <div className="room-body">
        <div className="stage-wrap">
          <HandsContext.Provider value={raised}>
            <Stage />
          </HandsContext.Provider>
          <Captions enabled={captions} />
        </div>
        <SidePanel
          roomId={roomId}
          isHost={isHost}
          myIdentity={myIdentity}
          events={events}
          dispatch={dispatch}
          open={panelOpen}
          tab={tab}
          onTab={setTab}
          unread={unread}
          onClose={() => setPanelOpen(false)}
        />
      </div>
      <div className="lk-control-bar controls" role="toolbar" aria-label={t('call.controls')}>
        <MediaControls onError={onError} />
        {!isHost && (
          <button type="button" className="lk-button" aria-pressed={handRaised} onClick={toggleHand}>
            <Hand aria-hidden="true" size={18} />
            <span className="label">{handRaised ? t('hands.lowerMine') : t('hands.raise')}</span>
          </button>
        )}
        <button
          type="button"
          className="lk-button panel-toggle"
          aria-expanded={panelOpen}
          aria-controls="side-panel"
          onClick={() => setPanelOpen(!panelOpen)}
        >
          <PanelRight aria-hidden="true" size={18} />
          <span className="label">{t('panel.open')}</span>
          {unread > 0 && (
            <span className="badge" role="img" aria-label={t('chat.unread', { n: unread })}>
              {unread}
            </span>
          )}
          {waiting > 0 && (
            <span className="badge alert" role="img" aria-label={t('lobby.waitingCount', { n: waiting })}>
              {waiting}
            </span>
          )}
        </button>
        {isHost && <HostActions roomId={roomId} onError={onError} onPanicDone={onPanicDone} />}
        <button type="button" className="lk-button lk-disconnect-button" onClick={() => void room.disconnect()}>
          <LogOut aria-hidden="true" size={18} />
          <span className="label">{t('call.leave')}</span>
        </button>
      </div>
      <Notices notices={notices} onExpire={onExpire} />
      <RoomAudioRenderer />
    </main>
  );
}
