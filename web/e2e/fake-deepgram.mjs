// A local stand-in for Deepgram's live streaming API (/v1/listen over a websocket), so the
// browser suite sees real captions from the server's assistant without the cloud. It checks the
// key and that the audio is Ogg, and answers by the clock: halfway through every two seconds of
// audio an interim result, at the end the final one, with the text "Субтитры C.N" (connection C,
// piece N).
import { WebSocketServer } from 'ws';

export const deepgramKey = 'browser-test-key';

export function startFakeDeepgram() {
  const seen = { connections: 0, audioBytes: 0, notOgg: 0, finals: 0, closeStreams: 0 };
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    path: '/v1/listen',
    verifyClient: ({ req }) => req.headers.authorization === `Token ${deepgramKey}`,
  });
  wss.on('connection', (ws) => {
    const conn = seen.connections++;
    let start = null;
    let piece = 0;
    let interimSent = false;
    const result = (final, text) =>
      ws.send(JSON.stringify({
        type: 'Results', is_final: final, speech_final: final, start: piece * 2, duration: 2,
        channel: { alternatives: [{ transcript: text, confidence: 0.9 }] },
      }));
    ws.send(JSON.stringify({ type: 'Metadata', request_id: `fake-${conn}` }));
    ws.on('message', (data, isBinary) => {
      if (!isBinary) {
        const m = JSON.parse(data.toString());
        if (m.type === 'CloseStream') {
          seen.closeStreams++;
          ws.close(1000);
        }
        return;
      }
      if (start === null) {
        start = Date.now();
        if (data.subarray(0, 4).toString() !== 'OggS') seen.notOgg++;
      }
      seen.audioBytes += data.length;
      const t = Date.now() - start;
      const text = `Субтитры ${conn}.${piece}`;
      if (!interimSent && t >= piece * 2000 + 1000) {
        result(false, text);
        interimSent = true;
      }
      if (t >= (piece + 1) * 2000) {
        result(true, text);
        seen.finals++;
        piece++;
        interimSent = false;
      }
    });
  });
  return new Promise((resolve) => {
    wss.on('listening', () => resolve({ url: `http://127.0.0.1:${wss.address().port}`, seen, close: () => wss.close() }));
  });
}
