#!/usr/bin/env bash
# Regenerates the committed test media in this folder with Debian's ffmpeg (5.1: libx264, libx265, libvpx, libopus).
# The picture: 320x240, 30 fps, 5 s; four solid quadrants (top-left red, top-right green, bottom-left blue,
# bottom-right white) and a small moving patch of ffmpeg's testsrc2 in the centre, clear of the quadrant centres
# (the points a test samples) so that every frame differs. A keyframe every second (every 30 frames).
# The facts tests assert against are in TestMedia.cs; update them when this script changes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
command -v ffmpeg >/dev/null || { echo "ffmpeg is not installed" >&2; exit 1; }

ff=(ffmpeg -hide_banner -nostdin -loglevel error -y)
seconds=5
fps=30

# Quadrants drawn with pure primaries on even boundaries (x=160, y=120): 4:2:0 chroma never mixes two quadrants.
picture="color=c=black:s=320x240:r=${fps}:d=${seconds},format=yuv420p,\
drawbox=x=0:y=0:w=160:h=120:color=0xFF0000:t=fill,\
drawbox=x=160:y=0:w=160:h=120:color=0x00FF00:t=fill,\
drawbox=x=0:y=120:w=160:h=120:color=0x0000FF:t=fill,\
drawbox=x=160:y=120:w=160:h=120:color=0xFFFFFF:t=fill[bg];\
testsrc2=s=48x32:r=${fps}:d=${seconds},format=yuv420p[fg];\
[bg][fg]overlay=x='112+2*mod(n\,24)':y=104:shortest=1,format=yuv420p[v]"
# The patch's left edge moves 2 px a frame over x 112..158, so it covers at most x 112..206, y 104..136
# (the quadrant sample points are at x 80/240, y 60/180).

common_video=(-filter_complex "$picture" -map "[v]" -an -fflags +bitexact -flags:v +bitexact -threads 1)

# H.264 Constrained Baseline, level 3.1, no B-frames, IDR every 30 frames, SPS/PPS before every IDR, no AUDs.
"${ff[@]}" "${common_video[@]}" -c:v libx264 -profile:v baseline -level 3.1 -bf 0 \
  -g 30 -keyint_min 30 -sc_threshold 0 -b:v 400k -maxrate 400k -bufsize 400k \
  -x264-params "repeat-headers=1:aud=0:threads=1" -f h264 pattern-320x240.h264

# VP8 in IVF, keyframe every 30 frames, no hidden alt-ref frames (one IVF frame per shown picture).
"${ff[@]}" "${common_video[@]}" -c:v libvpx -b:v 400k -g 30 -keyint_min 30 -auto-alt-ref 0 -lag-in-frames 0 \
  -deadline good -cpu-used 4 -f ivf pattern-320x240.ivf

# H.265 Main, closed GOP (IDR) every 30 frames, VPS/SPS/PPS before every IRAP, no B-frames, no info SEI.
if ffmpeg -hide_banner -encoders 2>/dev/null | grep libx265 >/dev/null; then
  "${ff[@]}" "${common_video[@]}" -c:v libx265 -b:v 400k \
    -x265-params "log-level=error:keyint=30:min-keyint=30:scenecut=0:open-gop=0:bframes=0:repeat-headers=1:info=0:aud=0:frame-threads=1:pools=none" \
    -f hevc pattern-320x240-h265.h265
else
  echo "libx265 missing: pattern-320x240-h265.h265 not regenerated" >&2
fi

# Opus in Ogg: 48 kHz mono, 20 ms frames, 440 Hz sine.
"${ff[@]}" -f lavfi -i "sine=frequency=440:sample_rate=48000:duration=${seconds}" -ac 1 \
  -c:a libopus -b:a 32k -frame_duration 20 -application audio -vbr off \
  -fflags +bitexact -flags:a +bitexact -f ogg tone-48k.ogg

# G.711 mu-law, raw, 8 kHz mono (160 bytes = 20 ms).
"${ff[@]}" -f lavfi -i "sine=frequency=440:sample_rate=8000:duration=${seconds}" -ac 1 -c:a pcm_mulaw -f mulaw tone-8k.pcmu

ls -l pattern-320x240.h264 pattern-320x240.ivf pattern-320x240-h265.h265 tone-48k.ogg tone-8k.pcmu 2>/dev/null
