"""``kiosk decode``: decode the QR codes in image files, without a display or a camera."""

from __future__ import annotations

from pathlib import Path

from kiosk.cli.common import EXIT_OK, CliError, cli_settings, print_json


def _decoder_name(args) -> str:
    if args.decoder:
        return args.decoder
    return cli_settings().decoder


def cmd_decode(args) -> int:
    from kiosk.scanner.decoders import DecoderUnavailable, make_decoder
    from kiosk.scanner.sources import SourceError, decode_image

    try:
        decoder = make_decoder(_decoder_name(args))
    except DecoderUnavailable as exc:
        raise CliError(str(exc)) from exc
    found: list[dict] = []
    for image in args.images:
        try:
            codes = decode_image(image, decoder)
        except SourceError as exc:
            raise CliError(str(exc)) from exc
        found.append({"image": str(image), "codes": [c.to_json() for c in codes]})
        if not args.json:
            for code in codes:
                print(f"{image}: {code.text}" if len(args.images) > 1 else code.text)
    if args.json:
        print_json({"decoder": decoder.name, "images": found})
    missing = [f["image"] for f in found if not f["codes"]]
    if missing:
        raise CliError(f"no QR code found in {', '.join(missing)}")
    return EXIT_OK


def add_commands(subparsers) -> None:
    parser = subparsers.add_parser(
        "decode",
        help="print the QR codes found in image files",
        description="Decode the QR codes in image files with the kiosk's decoder (exit 1 when an image has none).",
    )
    parser.add_argument("images", nargs="+", type=Path, metavar="IMAGE", help="PNG/JPEG/... image file")
    parser.add_argument("--decoder", choices=("zxing", "pyzbar"), default=None,
                        help="QR decoder (default: the 'decoder' setting, zxing)")
    parser.add_argument("--json", action="store_true", help="print the codes as JSON, with their positions")
    parser.set_defaults(handler=cmd_decode)
