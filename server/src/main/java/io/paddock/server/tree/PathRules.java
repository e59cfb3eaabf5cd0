package io.paddock.server.tree;

/** ZooKeeper's znode path rules (WIRE-PROTOCOL.md §10.3). */
public final class PathRules {
    private PathRules() {}

    /** Returns null when {@code path} is a valid absolute znode path, else the reason. */
    public static String invalidReason(String path) {
        if (path == null) {
            return "path must not be null";
        }
        int n = path.length();
        if (n == 0) {
            return "path length must be > 0";
        }
        if (path.charAt(0) != '/') {
            return "path must start with / character";
        }
        if (n == 1) {
            return null;
        }
        if (path.charAt(n - 1) == '/') {
            return "path must not end with / character";
        }
        char last = '/';
        for (int i = 1; i < n; i++) {
            char c = path.charAt(i);
            if (c == 0) {
                return "null character not allowed @" + i;
            } else if (c == '/' && last == '/') {
                return "empty node name specified @" + i;
            } else if (c == '.' && last == '.') {
                if (path.charAt(i - 2) == '/' && (i + 1 == n || path.charAt(i + 1) == '/')) {
                    return "relative paths not allowed @" + i;
                }
            } else if (c == '.') {
                if (path.charAt(i - 1) == '/' && (i + 1 == n || path.charAt(i + 1) == '/')) {
                    return "relative paths not allowed @" + i;
                }
            } else if (c > '\u0000' && c <= '\u001f' || c >= '\u007f' && c <= '\u009F'
                    || c >= '\ud800' && c <= '\uf8ff' || c >= '\ufff0' && c <= '\uffff') {
                return "invalid character @" + i;
            }
            last = c;
        }
        return null;
    }

    public static boolean isValid(String path) {
        return invalidReason(path) == null;
    }

    /** The parent of a valid non-root path ("/" for a top-level node). */
    public static String parentOf(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }

    /** The last segment of a non-root path. */
    public static String nameOf(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    public static String childPath(String parent, String name) {
        return parent.length() == 1 ? "/" + name : parent + "/" + name;
    }
}
