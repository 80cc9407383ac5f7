# Smiley Bot: runs with a mounted config and a volume for its data.
#   docker build -t smiley-bot .
#   docker run -d --name smiley-bot -e SMILEY_BOT_TOKEN=123:abc \
#     -v "$PWD/config.toml:/config/config.toml:ro" -v smiley-data:/data smiley-bot
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TF_CPP_MIN_LOG_LEVEL=2

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY model ./model
COPY storage ./storage
RUN pip install . && useradd --system --uid 10001 smiley && mkdir -p /data /config \
    && chown smiley /data
# The default config keeps its data in the volume; mount your own at /config/config.toml.
COPY --chown=smiley config.example.toml /config/config.toml
RUN sed -i 's|^database = .*|database = "/data/smiley.sqlite3"|; s|^models_dir = .*|models_dir = "/data/models"|' /config/config.toml \
    && sed -i '/^\[playground\]/,/^\[/ s|^host = .*|host = "0.0.0.0"|' /config/config.toml

USER smiley
VOLUME ["/data"]
# 8443: webhook mode; 8080: the local playground (no token), e.g. docker run -p 127.0.0.1:8080:8080
EXPOSE 8443 8080
ENTRYPOINT ["python", "-m", "bot"]
CMD ["--config", "/config/config.toml"]
