#!/bin/sh
# Runs a command (valgrind and the element tests) after building the plugin
# registry outside valgrind: a registry scan loads every GStreamer plugin on
# the system, and their own leaks are none of txt2vidsrc's.
gst-inspect-1.0 txt2vidsrc >/dev/null || exit 1
exec "$@"
