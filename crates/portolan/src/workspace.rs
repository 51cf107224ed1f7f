//! Turning global options into a catalog source, a configuration and
//! policies: root discovery, `--rev`, `--config`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use portolan_check::Policy;
use portolan_core::config::{CONFIG_FILE, Config};
use portolan_core::paths::join_normalized;
use portolan_core::source::{DirSource, GitSource, ReadError, Source};

use crate::cli::GlobalArgs;

pub struct Workspace {
    /// The catalog root on disk (for `--rev`: where the repository was found).
    pub root: PathBuf,
    pub source: Box<dyn Source>,
    pub config: Config,
    pub policies: Vec<Policy>,
    /// Where the configuration came from, for messages.
    pub config_origin: Option<String>,
}

/// The nearest ancestor of `start` holding portolan.toml, else the git work
/// tree's top level, else `start`.
pub fn discover_root(start: &Path) -> PathBuf {
    for dir in start.ancestors() {
        if dir.join(CONFIG_FILE).is_file() {
            return dir.to_path_buf();
        }
    }
    if let Ok(repo) = git2::Repository::discover(start)
        && let Some(workdir) = repo.workdir()
    {
        return workdir.to_path_buf();
    }
    start.to_path_buf()
}

pub fn open(global: &GlobalArgs) -> Result<Workspace> {
    open_at(global, global.rev.as_deref())
}

/// The workspace as of git revision `rev` (`None`: the directory as it is
/// on disk), whatever `--rev` says: `diff` opens two.
pub fn open_at(global: &GlobalArgs, rev: Option<&str>) -> Result<Workspace> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let root = match &global.root {
        Some(root) => cwd.join(root),
        None => discover_root(&cwd),
    };
    if rev.is_none() && !root.is_dir() {
        bail!("catalog root {} is not a directory", root.display());
    }
    let source: Box<dyn Source> = match rev {
        Some(rev) => Box::new(GitSource::open(&root, rev)?),
        None => Box::new(DirSource::new(&root)?),
    };
    let max = 4 * 1024 * 1024;
    // The configuration: --config from disk, else portolan.toml from the
    // source (so `--rev` reads the configuration of that revision).
    let (config, config_origin, config_dir_in_source, config_dir_on_disk) = match &global.config {
        Some(path) => {
            let path = cwd.join(path);
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read configuration {}", path.display()))?;
            let config =
                Config::parse(&path.display().to_string(), &text).map_err(anyhow::Error::msg)?;
            let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
            (config, Some(path.display().to_string()), None, Some(dir))
        }
        None => match source.read(CONFIG_FILE, max) {
            Ok(bytes) => {
                let text = String::from_utf8(bytes)
                    .with_context(|| format!("{CONFIG_FILE} is not UTF-8"))?;
                let config = Config::parse(CONFIG_FILE, &text).map_err(anyhow::Error::msg)?;
                (
                    config,
                    Some(CONFIG_FILE.to_string()),
                    Some(String::new()),
                    None,
                )
            }
            Err(ReadError::NotFound) => (Config::default(), None, None, None),
            Err(err) => bail!("cannot read {CONFIG_FILE}: {err}"),
        },
    };
    let read_schema = |schema: &str| -> (String, Result<String, String>) {
        match (&config_dir_in_source, &config_dir_on_disk) {
            (_, Some(dir)) => {
                let path = dir.join(schema);
                let text =
                    std::fs::read_to_string(&path).map_err(|e| format!("cannot be read: {e}"));
                (path.display().to_string(), text)
            }
            (Some(dir), None) => match join_normalized(dir, schema) {
                Ok(path) => {
                    let text = source
                        .read(&path, max)
                        .map_err(|e| format!("cannot be read: {e}"))
                        .and_then(|b| String::from_utf8(b).map_err(|_| "is not UTF-8".to_string()));
                    (path, text)
                }
                Err(err) => (schema.to_string(), Err(err.to_string())),
            },
            (None, None) => (
                schema.to_string(),
                Err("has no configuration to be relative to".into()),
            ),
        }
    };
    let policies = portolan_check::policy::load_policies(&config, &read_schema);
    let source = mount_sources(global, &cwd, &root, source, &config)?;
    Ok(Workspace {
        root,
        source,
        config,
        policies,
        config_origin,
    })
}

/// The catalog source with the repositories `[[sources]]` maps, when there
/// are any.
fn mount_sources(
    global: &GlobalArgs,
    cwd: &Path,
    root: &Path,
    source: Box<dyn Source>,
    config: &Config,
) -> Result<Box<dyn Source>> {
    if config.sources.is_empty() {
        if global.fetch {
            eprintln!("portolan: --fetch has nothing to fetch: portolan.toml has no [[sources]]");
        }
        return Ok(source);
    }
    let cache_dir = match &global.cache_dir {
        Some(dir) => cwd.join(dir),
        None => root.join(".portolan").join("cache"),
    };
    let options = portolan_catalog::SourceOptions {
        root_dir: root.to_path_buf(),
        allow_read: global.allow_read.iter().map(|d| cwd.join(d)).collect(),
        cache_dir,
        fetch: global.fetch.then(|| portolan_catalog::fetch::FetchOptions {
            jobs: usize::from(global.fetch_jobs),
            depth: global.fetch_depth,
        }),
    };
    Ok(Box::new(portolan_catalog::SourceSet::new(
        source,
        &config.sources,
        options,
    )?))
}
