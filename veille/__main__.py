from veille.cli import main

raise SystemExit(main())
