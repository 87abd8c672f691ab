"""The laporan kegiatan: an event's activity report, built as a document job by the worker."""
