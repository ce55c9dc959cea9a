# Callmark in a container. The image builds the same way as a bare machine: scripts/setup.mjs
# installs what is missing (ffmpeg, the worker's Debian build tools and libraries, npm packages,
# better-sqlite3, the mediasoup 3.12.16 worker with libsrtp2 from Debian's source, the recorder's
# RTP receiver). The worker links Debian's shared OpenSSL 3: rebuild the image to take updates.
# The build runs as root (it installs Debian packages); the server runs as the unprivileged `node`
# user of the base image, who owns only the data and recordings volumes (the application files
# stay root's, so the server cannot rewrite its own code).
FROM node:20-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ ffmpeg ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
RUN node scripts/setup.mjs \
 && mkdir -p /data /recordings \
 && chown node:node /data /recordings
ENV CALLMARK_DATA_DIR=/data CALLMARK_RECORDINGS_DIR=/recordings
EXPOSE 8443
USER node
CMD ["node", "build/server/main.js"]
