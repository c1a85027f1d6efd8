from reference_model.train.cli import main

raise SystemExit(main())
