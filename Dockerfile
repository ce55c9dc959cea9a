# Callmark in a container. The image builds the same way as a bare machine: scripts/setup.mjs
# installs what is missing (ffmpeg, npm packages, better-sqlite3, the mediasoup 3.8.4 worker).
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
