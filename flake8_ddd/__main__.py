from flake8_ddd.cli import main

raise SystemExit(main())
