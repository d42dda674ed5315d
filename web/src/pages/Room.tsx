// /room/{code}: who am I here (host or admitted guest), a LiveKit token, then the call; and the
// screens after it: left, ended, removed (with the reason).
import { useCallback, useEffect, useRef, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { LiveKitRoom } from '@livekit/components-react';
import '@livekit/components-styles';
import '../room/room.css';
import { ConnectionState, DisconnectReason, MediaDeviceFailure, Room, RoomEvent } from 'livekit-client';
import { useI18n } from '../i18n';
import { api, ApiError } from '../lib/api';
import { useAuth } from '../lib/auth';
import { beep, chime } from '../lib/beep';
import { errorText } from '../lib/errors';
import type { LiveKitToken, PublicRoom } from '../lib/types';
import { ErrorText } from '../components/ErrorText';
import { RoomView } from '../room/RoomView';
import { RoomExit, type Exit } from '../room/RoomExit';
import { useRoomEvents } from '../room/useRoomEvents';
import type { Notice } from '../room/Notices';
import { roleOf } from '../room/role';
import { handSoundOn } from '../room/handSound';

/**
 * The token's claims: its subject is this participant's identity everywhere in the API, its
 * metadata says whether the server made this participant the host.
 */
function claimsOf(token: string): { sub?: string; metadata?: string; video?: { room?: string } } {
  const part = token.split('.')[1] ?? '';
  const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
  return JSON.parse(json) as { sub?: string; metadata?: string; video?: { room?: string } };
}

interface Media {
  audio: boolean;
  video: boolean;
}

export function RoomPage() {
  const { t, lang } = useI18n();
  const { code = '' } = useParams();
  const navigate = useNavigate();
  const { user, loading } = useAuth();
  const [room, setRoom] = useState<PublicRoom | null>(null);
  // Host in the call is what the token says (kept after the call, for the exit screens); before
  // any token, only for the wording of the screens before the call, whether I own the room.
  const [tokenHost, setTokenHost] = useState<boolean | null>(null);
  const [owner, setOwner] = useState(false);
  const isHost = tokenHost ?? owner;
  const [token, setToken] = useState<LiveKitToken | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notLive, setNotLive] = useState(false);
  const [exit, setExit] = useState<Exit | null>(null);
  const [notices, setNotices] = useState<Notice[]>([]);
  const nextNotice = useRef(1);
  // One LiveKit room object for the whole visit: when the call moves to a new video room (a
  // ban moves it, so that no token issued before the ban opens the call again) it connects
  // again with a new token, and the page around it stays.
  const [lkRoom] = useState(() => new Room());
  // The camera and microphone as the user left them, to publish them again after a move.
  const media = useRef<Media>({ audio: true, video: true });
  const [publish, setPublish] = useState<Media>(media.current);
  const moving = useRef(false);
  const [reconnecting, setReconnecting] = useState(false);

  const notify = useCallback((text: string) => {
    setNotices((list) => [...list, { id: nextNotice.current++, text }]);
  }, []);
  const notifyError = useCallback((err: unknown) => notify(errorText(t, err, lang)), [notify, t, lang]);
  const expire = useCallback((id: number) => setNotices((list) => list.filter((n) => n.id !== id)), []);
  const myIdentity = token ? (claimsOf(token.token).sub ?? '') : '';

  // The room by its code, then whether I own it (or am an admin): a hint for the screens before
  // the call only (the token decides in it), so a failure there just reads as "not the owner".
  useEffect(() => {
    if (loading) return;
    let cancelled = false;
    (async () => {
      const r = await api<PublicRoom>('GET', `/api/rooms/by-code/${encodeURIComponent(code)}`);
      let owns = false;
      if (user) {
        owns = await api('GET', `/api/rooms/${r.id}`).then(
          () => true,
          () => false,
        );
      }
      if (cancelled) return;
      setOwner(owns);
      setRoom(r);
    })().catch((err: unknown) => {
      if (!cancelled) setError(err);
    });
    return () => {
      cancelled = true;
    };
  }, [code, user, loading]);

  // The token; before the start, ask again every few seconds.
  useEffect(() => {
    if (!room || token || exit) return;
    // An answer after the cleanup changes nothing and asks no more.
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ask = () => {
      api<LiveKitToken>('POST', '/api/livekit/token', { roomId: room.id })
        .then((tok) => {
          if (cancelled) return;
          setNotLive(false);
          setTokenHost(roleOf(claimsOf(tok.token).metadata) === 'host');
          setToken(tok);
        })
        .catch((err: unknown) => {
          if (cancelled) return;
          if (err instanceof ApiError && err.code === 'not_admitted') navigate(`/join/${room.code}`, { replace: true });
          else if (err instanceof ApiError && err.code === 'room_not_live') {
            setNotLive(true);
            timer = setTimeout(ask, 5000);
          } else if (err instanceof ApiError && err.code === 'room_ended') setExit({ kind: 'ended' });
          else setError(err);
        });
    };
    ask();
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [room, token, exit, navigate]);

  // Follow the user's own camera and microphone switches, not the unpublishing of a
  // disconnect: when the server deletes the old video room the local tracks stop one by one
  // while the room may still count as connected, so a change is kept only if the room is
  // still connected (and not moving) a moment later.
  useEffect(() => {
    const lp = lkRoom.localParticipant;
    let settle: ReturnType<typeof setTimeout> | undefined;
    const sync = () => {
      if (lkRoom.state !== ConnectionState.Connected) return;
      const next = { audio: lp.isMicrophoneEnabled, video: lp.isCameraEnabled };
      clearTimeout(settle);
      settle = setTimeout(() => {
        if (lkRoom.state === ConnectionState.Connected && !moving.current) media.current = next;
      }, 1000);
    };
    lkRoom.on(RoomEvent.TrackMuted, sync).on(RoomEvent.TrackUnmuted, sync).on(RoomEvent.LocalTrackPublished, sync);
    return () => {
      clearTimeout(settle);
      lkRoom.off(RoomEvent.TrackMuted, sync).off(RoomEvent.TrackUnmuted, sync).off(RoomEvent.LocalTrackPublished, sync);
    };
  }, [lkRoom]);

  // After a move, the camera and microphone as the user had them: the component publishes them
  // on connecting, and whatever of that failed (a loaded machine, a device still closing) is
  // asked again a few times.
  const restoreMedia = useCallback(async () => {
    const lp = lkRoom.localParticipant;
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 1500));
      if (lkRoom.state !== ConnectionState.Connected) return;
      const want = media.current;
      try {
        if (want.video && !lp.isCameraEnabled) await lp.setCameraEnabled(true);
        if (want.audio && !lp.isMicrophoneEnabled) await lp.setMicrophoneEnabled(true);
        if ((!want.video || lp.isCameraEnabled) && (!want.audio || lp.isMicrophoneEnabled)) return;
      } catch {
        // asked again on the next round
      }
    }
  }, [lkRoom]);
  const followed = useRef(false);

  // The call moved (call.moved), or its video room was deleted under us: a new token says
  // where the call is now, or that it is over for us.
  const follow = useCallback(() => {
    if (!room || moving.current) return;
    moving.current = true;
    setReconnecting(true);
    api<LiveKitToken>('POST', '/api/livekit/token', { roomId: room.id })
      .then(async (tok) => {
        await lkRoom.disconnect(); // nothing when the old room is gone already
        followed.current = true;
        setPublish(media.current);
        setToken(tok);
      })
      .catch((err: unknown) => {
        setReconnecting(false);
        setToken(null);
        setExit(
          (prev) =>
            prev ??
            (err instanceof ApiError && err.code === 'room_ended'
              ? { kind: 'ended' }
              : err instanceof ApiError
                ? { kind: 'removed', reason: null }
                : { kind: 'lost' }),
        );
      })
      .finally(() => {
        moving.current = false;
      });
  }, [room, lkRoom]);

  const { state: events, dispatch } = useRoomEvents(room && (token || exit?.kind === 'removed') ? room.id : null, {
    onKnock: (entry) => {
      beep();
      notify(t(events.room?.locked ? 'lobby.knockedLocked' : 'lobby.knocked', { name: entry.name }));
    },
    onHand: (hand) => {
      if (!isHost || !hand.raised || hand.identity === myIdentity) return;
      if (handSoundOn()) chime();
      notify(t('hands.raisedBy', { name: hand.name }));
    },
    onOut: (out) => {
      if (out.identity !== myIdentity) notify(t(`out.${out.reason}`, { name: out.name }));
    },
    onCallMoved: (moved) => {
      if (token && claimsOf(token.token).video?.room !== moved.call) follow();
    },
    onModeration: (ev) => {
      if (ev.identity === myIdentity || (ev.action === 'mute_all' && !isHost)) {
        notify(t(ev.action === 'stop_publishing' ? 'mod.youStopped' : 'mod.youMuted'));
      }
    },
  });

  // The stream tells why I was removed, and when the lecture ended.
  useEffect(() => {
    if (events.removed) setExit({ kind: 'removed', reason: events.removed.reason });
    else if (events.room?.status === 'ENDED') setExit({ kind: 'ended' });
  }, [events.removed, events.room?.status]);

  const onDisconnected = (reason?: DisconnectReason) => {
    if (moving.current) return; // leaving the old call for the new one
    if (reason === DisconnectReason.ROOM_DELETED && !exit) {
      follow(); // moved, or ended: the token answer says which
      return;
    }
    setToken(null);
    setExit((prev) => {
      if (prev) return prev;
      if (reason === DisconnectReason.ROOM_DELETED) return { kind: 'ended' };
      if (reason === DisconnectReason.PARTICIPANT_REMOVED) return { kind: 'removed', reason: null };
      if (reason === DisconnectReason.CLIENT_INITIATED) return { kind: 'left' };
      return { kind: 'lost' };
    });
  };

  const onMediaFailure = (failure?: MediaDeviceFailure) =>
    notify(failure === MediaDeviceFailure.PermissionDenied ? t('call.permissionDenied') : t('call.deviceFailed'));

  if (exit) {
    const shown: Exit = exit.kind === 'removed' && events.removed ? { kind: 'removed', reason: events.removed.reason } : exit;
    return <RoomExit exit={shown} code={code} lectureId={events.room?.lectureId} isHost={isHost} onRejoin={() => setExit(null)} />;
  }
  if (error) {
    return (
      <main className="page narrow">
        <ErrorText error={error} />
        <Link to="/">{t('notFound.home')}</Link>
      </main>
    );
  }
  if (notLive) {
    return (
      <main className="page narrow" role="status">
        <h1>{room?.name}</h1>
        <p>{isHost ? t('room.notLiveHost') : t('room.notLive')}</p>
        {isHost && <Link to="/dashboard">{t('nav.dashboard')}</Link>}
      </main>
    );
  }
  if (!room || !token) return <p className="page">{t('common.loading')}</p>;

  return (
    <LiveKitRoom
      room={lkRoom}
      serverUrl={token.url}
      token={token.token}
      connect
      audio={publish.audio}
      video={publish.video}
      onConnected={() => {
        setReconnecting(false);
        if (followed.current) {
          followed.current = false;
          void restoreMedia();
        }
      }}
      onDisconnected={onDisconnected}
      onError={notifyError}
      onMediaDeviceFailure={onMediaFailure}
      className="room-root"
    >
      <RoomView
        roomId={room.id}
        roomName={room.name}
        roomCode={room.code}
        captions={token.captions}
        moving={reconnecting}
        isHost={isHost}
        myIdentity={myIdentity}
        events={events}
        dispatch={dispatch}
        notices={notices}
        onNotice={notify}
        onError={notifyError}
        onExpire={expire}
      />
    </LiveKitRoom>
  );
}
