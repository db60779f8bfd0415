"""The regulation crosswalk: a catalogue of controls shipped as JSON files (controls/), the
evidence resolvers that find the Warden records behind each control, and per-model coverage."""
