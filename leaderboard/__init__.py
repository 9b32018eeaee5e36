"""The class leaderboard of issue 17 (serve.py --leaderboard CLASS_DIR): stdlib + sqlite3 only.
See docs/leaderboard.md."""
