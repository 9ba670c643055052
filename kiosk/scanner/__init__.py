"""Reading QR codes from frames: decoders and frame sources. Qt-free, usable from the CLI."""
