// Shapes of the HTTP API (docs/api.md).

export type Role = 'ADMIN' | 'HOST';
export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
}

export type RoomStatus = 'CREATED' | 'LIVE' | 'ENDED';
export interface Room {
  id: string;
  code: string;
  name: string;
  status: RoomStatus;
  /** The room's current lecture: the live one, or the next one (its next start opens it). */
  lectureId: string;
  lobbyEnabled: boolean;
  hasPin: boolean;
  chatEnabled: boolean;
  filesEnabled: boolean;
  maxParticipants: number;
  locked: boolean;
  createdAt: string;
}

export interface PublicRoom {
  id: string;
  code: string;
  name: string;
  status: RoomStatus;
  hasPin: boolean;
  lobbyEnabled: boolean;
}

export interface RoomState {
  status: RoomStatus;
  /** The lecture the state is about: the live one, or the one that just ended. */
  lectureId?: string;
  locked: boolean;
  chatEnabled: boolean;
  filesEnabled: boolean;
}

export interface LobbyEntry {
  entryId: string;
  identity: string;
  name: string;
  status: 'PENDING' | 'APPROVED' | 'REJECTED';
  createdAt: string;
}

export interface Hand {
  identity: string;
  name: string;
  raised: boolean;
  raisedAt?: string;
}

export type RemovalReason = 'kicked' | 'banned' | 'panic';
/** call.moved: the call went on in a new video room (a ban moved it); a new token opens it. */
export interface CallMoved {
  lectureId: string;
  call: string;
}

export interface Removal {
  identity: string;
  name: string;
  reason: RemovalReason;
}

export interface ModerationEvent {
  action: string;
  identity?: string;
}

export interface ChatMessage {
  id: string;
  clientId?: string;
  identity: string;
  name: string;
  /** Sent by a host of the room: shown with the host badge (a guest's name cannot earn it). */
  host?: boolean;
  text: string;
  createdAt: string;
}

export interface SharedFile {
  id: string;
  name: string;
  size: number;
  contentType: string;
  identity: string;
  uploader: string;
  createdAt: string;
}

export interface JoinAnswer {
  status: 'admitted' | 'pending';
  identity: string;
  entryId?: string;
}

export interface LiveKitToken {
  token: string;
  url: string;
  /** Whether the assistant transcribes this instance's calls (false without a speech-to-text provider). */
  captions: boolean;
}

export type ModerationAction =
  | 'kick'
  | 'ban'
  | 'unban'
  | 'mute'
  | 'mute_all'
  | 'stop_publishing'
  | 'allow_publishing'
  | 'lock'
  | 'unlock'
  | 'panic'
  | 'lower_hand';

/** One lecture of a room (GET /api/rooms/{roomId}/lectures). */
export interface LectureInfo {
  id: string;
  roomId: string;
  number: number;
  status: RoomStatus;
  startedAt: string | null;
  endedAt: string | null;
}

// After the lecture (GET /api/lectures/{lectureId}).
export interface LectureRoom extends Room {
  ownerId: string;
  startedAt: string | null;
  endedAt: string | null;
}

export interface Attendee {
  identity: string;
  name: string;
  joinedAt: string;
  leftAt: string | null;
  seconds: number;
  connections: number;
}

export interface TranscriptSegment {
  speaker: string;
  identity: string;
  startMs: number;
  endMs: number;
  text: string;
  language: string;
}

export type SummaryStatus = 'PENDING' | 'RUNNING' | 'READY' | 'FAILED';
export interface Summary {
  status: SummaryStatus;
  kind: string;
  markdown: string;
  error?: string;
  language: string;
}

export interface Lecture {
  room: LectureRoom;
  lecture: LectureInfo;
  durationSeconds: number;
  attendance: Attendee[];
  chat: ChatMessage[];
  files: SharedFile[];
  transcript: TranscriptSegment[];
  summary: Summary;
  /** Google Drive is configured on this instance: the owner may save the PDF there. */
  driveExport: boolean;
}

// Admin (GET /api/admin/...).
export interface AdminRoom extends LectureRoom {
  ownerEmail: string;
  ownerName: string;
  /** -1 when LiveKit cannot be asked. */
  participantsNow: number;
  participantsTotal: number;
  /** What the room's files take, all its lectures together. */
  storedBytes: number;
}

/** GET /api/admin/storage; quotas of 0 are unlimited; disk is null when files are on S3. */
export interface Storage {
  usedBytes: number;
  quotas: { roomBytes: number; hostBytes: number; instanceBytes: number };
  disk: { freeBytes: number; totalBytes: number; marginBytes: number } | null;
  hosts: { userId: string; email: string; name: string; bytes: number }[];
}

export interface AdminUser extends User {
  disabled: boolean;
  createdAt: string;
}

export interface ModerationEntry {
  id: string;
  roomId: string;
  actorId: string;
  actorName: string;
  action: string;
  targetIdentity: string;
  targetName: string;
  detail: string;
  createdAt: string;
}

export interface Check {
  status: string;
  latencyMs: number;
  error?: string;
  /** The assistant only: processes heard from lately, rooms captioned, microphone tracks transcribed. */
  workers?: number;
  rooms?: number;
  tracks?: number;
}
export type Health = Record<string, Check>;
