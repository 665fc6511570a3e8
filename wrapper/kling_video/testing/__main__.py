"""python -m kling_video.testing --port N [--api-key K] [--speed S]"""

from kling_video.testing.serve import main

raise SystemExit(main())
