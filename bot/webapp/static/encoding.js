/* The drawing's data format, version 1; bot/webapp/encoding.py documents and decodes it.
 *
 *   {"v":1,"a":"p"|"l","l":"<label or empty>","s":128,"b":"<base64 bitmap>"}
 *
 * The bitmap has 128 rows, top first; each row is 16 bytes, the leftmost pixel in the most
 * significant bit; 1 is ink. Plain functions without the DOM, so that Node can run them
 * in the tests (tests/bot/webapp/test_encoding.py). */
(function (root) {
  "use strict";

  var VERSION = 1;
  var DRAWING_SIZE = 128;
  var DATA_LIMIT = 4096; // bytes Telegram.WebApp.sendData accepts
  // A block of canvas pixels is ink when at least this share of it is dark: thin
  // antialiased strokes survive the 4:1 reduction instead of breaking up.
  var INK_SHARE = 0.25;

  /* Reduce a side x side RGBA canvas (ink dark on white) to size x size bits, 1 for ink. */
  function downsample(rgba, side, size) {
    if (side % size !== 0) throw new Error("canvas side " + side + " is no multiple of " + size);
    var block = side / size;
    var bits = new Uint8Array(size * size);
    for (var y = 0; y < size; y++) {
      for (var x = 0; x < size; x++) {
        var darkness = 0;
        for (var dy = 0; dy < block; dy++) {
          var offset = ((y * block + dy) * side + x * block) * 4;
          for (var dx = 0; dx < block; dx++, offset += 4) {
            var alpha = rgba[offset + 3] / 255;
            var grey = 0.299 * rgba[offset] + 0.587 * rgba[offset + 1] + 0.114 * rgba[offset + 2];
            // Transparent counts as paper: the page paints white first, but be safe.
            darkness += alpha * (1 - grey / 255);
          }
        }
        bits[y * size + x] = darkness / (block * block) >= INK_SHARE ? 1 : 0;
      }
    }
    return bits;
  }

  /* Whether any bit is ink. */
  function hasInk(bits) {
    for (var i = 0; i < bits.length; i++) if (bits[i]) return true;
    return false;
  }

  /* Pack the bits (size x size, row-major) and return the JSON string to send. */
  function encodeDrawing(bits, label) {
    var size = Math.round(Math.sqrt(bits.length));
    var packed = new Uint8Array(bits.length / 8);
    for (var i = 0; i < bits.length; i++) {
      if (bits[i]) packed[i >> 3] |= 0x80 >> (i & 7);
    }
    var binary = "";
    for (var j = 0; j < packed.length; j++) binary += String.fromCharCode(packed[j]);
    return JSON.stringify({
      v: VERSION,
      a: label ? "l" : "p",
      l: label || "",
      s: size,
      b: btoa(binary),
    });
  }

  /* The size of a string in UTF-8 bytes, which is what Telegram's limit counts. */
  function byteLength(text) {
    return new TextEncoder().encode(text).length;
  }

  var api = {
    VERSION: VERSION,
    DRAWING_SIZE: DRAWING_SIZE,
    DATA_LIMIT: DATA_LIMIT,
    downsample: downsample,
    hasInk: hasInk,
    encodeDrawing: encodeDrawing,
    byteLength: byteLength,
  };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  root.SmileyEncoding = api;
})(typeof globalThis !== "undefined" ? globalThis : this);
