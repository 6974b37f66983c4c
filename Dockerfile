# One image for every Python process of the pipeline: the intake and notify workers, the SMTP sink
# and the one-shot topic creation. deploy/docker/docker-compose.yml picks the command per service;
# the CMD below is only the default.
#
#   docker build -t ind-case-pipeline .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

# An unprivileged user; /app is its working directory because each Faust worker creates its
# data directory (ind-<service>-data) in the current directory. /mail is created here, owned by
# that user, so that a fresh named volume mounted there (the SMTP sink's mailbox) is writable.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app \
    && mkdir -p /app /mail \
    && chown app:app /app /mail

WORKDIR /app

COPY pyproject.toml ./
COPY ind_runtime/ ./ind_runtime/
COPY schemas/ ./schemas/
COPY services/ ./services/
COPY harness/ ./harness/

# Installs the dependencies and the packages listed in pyproject.toml. harness/ is not one of them;
# it is importable (python -m harness.demo) because /app is the working directory.
RUN pip install --no-cache-dir . \
    && rm -rf build ./*.egg-info \
    && chown app:app /app

USER app

CMD ["python", "-m", "services.intake"]
