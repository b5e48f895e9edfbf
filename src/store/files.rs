//! The SQLite database's files hold password hashes and sealed keys: only the server's own user may
//! read them. A data directory Signet creates is 0700, a database file it creates is 0600, and an
//! existing database, write-ahead log or shared-memory file readable by others is narrowed to 0600.
//! (SQLite gives the `-wal` and `-shm` files it creates the database file's mode.)

use std::path::Path;

/// Where the database file is: creates its directory (0700) when missing, and the file itself (0600,
/// empty) when `create` says the URL allows it.
pub(super) fn prepare(path: &Path, create: bool) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(dir)?;
    }
    if create && !path.exists() {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options.open(path)?;
    }
    narrow(path)
}

/// Takes group and other permissions away from the database file and its `-wal` and `-shm` files.
pub(super) fn narrow(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    for suffix in ["", "-wal", "-shm"] {
        use std::os::unix::fs::PermissionsExt;
        let file = std::path::PathBuf::from(format!("{}{suffix}", path.display()));
        match std::fs::metadata(&file) {
            Ok(meta) if meta.permissions().mode() & 0o077 != 0 => {
                std::fs::set_permissions(&file, std::fs::Permissions::from_mode(meta.permissions().mode() & 0o700))?;
            }
            Ok(_) => {}
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(err) => return Err(err),
        }
    }
    Ok(())
}
