// sip.js's stock WebRTC SessionDescriptionHandler, with one change: it keeps every remote audio
// track. The stock handler keeps one remote track per kind and stop()s the previous one when a
// second arrives (SessionDescriptionHandler.setRemoteTrack), which in a conference (the server
// adds one audio m-line per other party, so one transceiver and one track each) would silence the
// first party for good. Everything else (offer/answer, hold, DTMF, ICE) is sip.js's own code.
import { Web, type Session, type SessionDescriptionHandlerFactory } from 'sip.js';

class MultiTrackSessionDescriptionHandler extends Web.SessionDescriptionHandler {
  protected override setRemoteTrack(track: MediaStreamTrack): void {
    const stream = this._remoteMediaStream;
    if (stream.getTrackById(track.id)) return;
    stream.addTrack(track);
    // As the stock handler does, so listeners on the remote stream hear of it.
    stream.dispatchEvent(new MediaStreamTrackEvent('addtrack', { track }));
  }
}

export function multiTrackSdhFactory(): SessionDescriptionHandlerFactory {
  const mediaStreamFactory = Web.defaultMediaStreamFactory();
  return (session: Session, options?: Web.SessionDescriptionHandlerFactoryOptions) =>
    new MultiTrackSessionDescriptionHandler(session.userAgent.getLogger('sip.SessionDescriptionHandler'), mediaStreamFactory, {
      iceGatheringTimeout: options?.iceGatheringTimeout ?? 5000,
      peerConnectionConfiguration: { ...Web.defaultPeerConnectionConfiguration(), ...options?.peerConnectionConfiguration },
    });
}
