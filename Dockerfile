# One image for the web server, the Celery worker and Celery beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 WARDEN_VAR_DIR=/var/lib/warden
# A worker started from this image runs at niceness WARDEN_WORKER_NICE with bounded thread pools
# (config.worker_priority); the web server stays at 0.
ENV WARDEN_WORKER_NICE=10 WARDEN_WORKER_THREADS=2
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
       fonts-dejavu-core poppler-utils \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
# torch from PyTorch's CPU wheel index: PyPI's default build carries CUDA (gigabytes)
RUN pip install --no-cache-dir --extra-index-url https://download.pytorch.org/whl/cpu \
    -r requirements.txt
COPY . .
RUN useradd --system --home /var/lib/warden warden \
    && mkdir -p /var/lib/warden && chown warden /var/lib/warden \
    && SECRET_KEY=build-only python manage.py collectstatic --noinput -v0
USER warden
EXPOSE 8000
CMD ["gunicorn", "-c", "config/gunicorn.py", "config.wsgi", "--bind", "0.0.0.0:8000"]
