# position-ledger: the HTTP API and the CLI, for `docker compose up` beside KurrentDB.
# Node 20 as in package.json's engines; TypeScript runs through tsx (a runtime dependency), no build step.

FROM node:20-bookworm-slim AS deps
WORKDIR /app
# better-sqlite3 compiles when no prebuilt binary can be fetched: give it python3, make and g++ here only.
RUN apt-get update -qq \
  && apt-get install -y -qq --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    LEDGER_SQLITE_PATH=/data/ledger.db \
    LEDGER_SEED_DIR=/app/events \
    LEDGER_SOURCES_DIR=/app/sources
# tini as PID 1: it reaps zombies and hands SIGTERM/SIGINT (docker stop, Ctrl-C) to node, which stops gracefully within 5 s
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends tini && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY src ./src
COPY events ./events
COPY sources ./sources
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=5 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# node itself under tini (tsx only as a loader inside it): no wrapper process between the signal and the server
ENTRYPOINT ["/usr/bin/tini", "--", "node", "--import", "tsx", "src/cli/main.ts"]
CMD ["serve"]
