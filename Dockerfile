# syntax=docker/dockerfile:1
# LiveServer in one small image: the web app built with Node, the Go binary built with it
# embedded, and a slim runtime that runs as an unprivileged user. See docs/deployment.md.

FROM node:20-bookworm-slim AS web
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=web /src/web/dist ./web/dist
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/liveserver ./cmd/liveserver

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home /data liveserver && mkdir /data && chown liveserver /data
COPY --from=build /out/liveserver /usr/local/bin/liveserver
USER liveserver
# Production points at its own LiveKit (LIVEKIT_URL); the dev server is for `make run` only.
ENV LISTEN_ADDR=:3000 DATA_DIR=/data LIVEKIT_DEV_SERVER=off LOG_FORMAT=json
EXPOSE 3000
# Asks /healthz on LISTEN_ADDR (the agent service overrides it with `healthcheck --agent`).
HEALTHCHECK --interval=15s --timeout=3s CMD ["liveserver", "healthcheck"]
ENTRYPOINT ["liveserver"]
CMD ["serve"]
