/*
 * The ext2 on-disk format, revision 1 (and 0), as this library reads and
 * writes it. Everything on disk is little-endian; the structures below are
 * copied in and out with memcpy on little-endian machines (RISC-V and the
 * hosts the tests run on), so no field is ever accessed unaligned.
 *
 * Disk layout with 1 KiB blocks (block 0 is the boot block; with larger
 * blocks the superblock sits at byte 1024 of block 0 and groups start at 0):
 *
 *   block 0   1          2 .. 1+gdt     ..        ..           ..
 *   +------+----------+--------------+---------+---------+------------+------
 *   | boot | super    | group desc.  | reserved| block   | inode      | data
 *   |      | block    | table        | GDT     | bitmap  | bitmap,    | ...
 *   |      |          |              | (resize)|         | table      |
 *   +------+----------+--------------+---------+---------+------------+------
 *   <------------------------------- group 0 ------------------------------->
 *
 * With sparse_super only groups 0, 1 and powers of 3, 5 and 7 carry a backup
 * superblock and table; the bitmaps and the inode table of each group are
 * wherever its descriptor says.
 */
#ifndef STRATA_LIB_EXT2_FORMAT_H
#define STRATA_LIB_EXT2_FORMAT_H

#include <stddef.h>
#include <stdint.h>

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "ext2 structures are copied as-is");

#define EXT2_MAGIC		 0xEF53
#define EXT2_SUPER_OFFSET	 1024 /* byte offset of the superblock on the device */
#define EXT2_SUPER_SIZE		 1024
#define EXT2_ROOT_INO		 2
#define EXT2_RESIZE_INO		 7
#define EXT2_GOOD_OLD_FIRST_INO	 11
#define EXT2_GOOD_OLD_INODE_SIZE 128
#define EXT2_NDIR_BLOCKS	 12
#define EXT2_IND_BLOCK		 12
#define EXT2_DIND_BLOCK		 13
#define EXT2_TIND_BLOCK		 14
#define EXT2_N_BLOCKS		 15
#define EXT2_NAME_LEN		 255

/* s_state */
#define EXT2_VALID_FS 1
#define EXT2_ERROR_FS 2

/* Feature bits: compat ones may be ignored, ro_compat ones allow reading. */
#define EXT2_FEATURE_COMPAT_DIR_PREALLOC    0x0001
#define EXT2_FEATURE_COMPAT_IMAGIC_INODES   0x0002
#define EXT2_FEATURE_COMPAT_HAS_JOURNAL	    0x0004
#define EXT2_FEATURE_COMPAT_EXT_ATTR	    0x0008
#define EXT2_FEATURE_COMPAT_RESIZE_INODE    0x0010
#define EXT2_FEATURE_COMPAT_DIR_INDEX	    0x0020
#define EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER 0x0001
#define EXT2_FEATURE_RO_COMPAT_LARGE_FILE   0x0002
#define EXT2_FEATURE_INCOMPAT_FILETYPE	    0x0002
#define EXT2_SUPPORTED_RO_COMPAT                                                                   \
	(EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER | EXT2_FEATURE_RO_COMPAT_LARGE_FILE)
#define EXT2_SUPPORTED_INCOMPAT EXT2_FEATURE_INCOMPAT_FILETYPE

/* The superblock, 1024 bytes at byte 1024. Fields past s_want_extra_isize are kept as bytes. */
struct ext2_super {
	uint32_t s_inodes_count;
	uint32_t s_blocks_count;
	uint32_t s_r_blocks_count;
	uint32_t s_free_blocks_count;
	uint32_t s_free_inodes_count;
	uint32_t s_first_data_block;
	uint32_t s_log_block_size; /* block size = 1024 << s_log_block_size */
	uint32_t s_log_frag_size;
	uint32_t s_blocks_per_group;
	uint32_t s_frags_per_group;
	uint32_t s_inodes_per_group;
	uint32_t s_mtime;
	uint32_t s_wtime;
	uint16_t s_mnt_count;
	int16_t s_max_mnt_count;
	uint16_t s_magic;
	uint16_t s_state;
	uint16_t s_errors;
	uint16_t s_minor_rev_level;
	uint32_t s_lastcheck;
	uint32_t s_checkinterval;
	uint32_t s_creator_os;
	uint32_t s_rev_level;
	uint16_t s_def_resuid;
	uint16_t s_def_resgid;
	/* Revision 1 (dynamic) fields. */
	uint32_t s_first_ino;
	uint16_t s_inode_size;
	uint16_t s_block_group_nr;
	uint32_t s_feature_compat;
	uint32_t s_feature_incompat;
	uint32_t s_feature_ro_compat;
	uint8_t s_uuid[16];
	char s_volume_name[16];
	char s_last_mounted[64];
	uint32_t s_algo_bitmap;
	uint8_t s_prealloc_blocks;
	uint8_t s_prealloc_dir_blocks;
	uint16_t s_padding1;
	uint8_t s_journal_uuid[16];
	uint32_t s_journal_inum;
	uint32_t s_journal_dev;
	uint32_t s_last_orphan;
	uint32_t s_hash_seed[4];
	uint8_t s_def_hash_version;
	uint8_t s_reserved_char_pad;
	uint16_t s_desc_size;
	uint32_t s_default_mount_opts;
	uint32_t s_first_meta_bg;
	uint32_t s_mkfs_time;
	uint32_t s_jnl_blocks[17];
	uint32_t s_blocks_count_hi;
	uint32_t s_r_blocks_count_hi;
	uint32_t s_free_blocks_hi;
	uint16_t s_min_extra_isize;
	uint16_t s_want_extra_isize;
	uint8_t s_rest[EXT2_SUPER_SIZE - 352];
};
_Static_assert(sizeof(struct ext2_super) == EXT2_SUPER_SIZE, "superblock layout");
_Static_assert(offsetof(struct ext2_super, s_magic) == 56, "superblock layout");
_Static_assert(offsetof(struct ext2_super, s_feature_compat) == 92, "superblock layout");
_Static_assert(offsetof(struct ext2_super, s_want_extra_isize) == 350, "superblock layout");

/* A block group descriptor, 32 bytes, in the table after the superblock. */
struct ext2_group_desc {
	uint32_t bg_block_bitmap;
	uint32_t bg_inode_bitmap;
	uint32_t bg_inode_table;
	uint16_t bg_free_blocks_count;
	uint16_t bg_free_inodes_count;
	uint16_t bg_used_dirs_count;
	uint16_t bg_flags;
	uint8_t bg_reserved[12];
};
_Static_assert(sizeof(struct ext2_group_desc) == 32, "group descriptor layout");

/* The first 128 bytes of an on-disk inode; larger inodes keep their extra bytes untouched. */
struct ext2_inode {
	uint16_t i_mode;
	uint16_t i_uid;
	uint32_t i_size; /* low 32 bits; i_size_high has the rest */
	uint32_t i_atime;
	uint32_t i_ctime;
	uint32_t i_mtime;
	uint32_t i_dtime;
	uint16_t i_gid;
	uint16_t i_links_count;
	uint32_t i_blocks; /* 512-byte sectors, indirect and xattr blocks included */
	uint32_t i_flags;
	uint32_t i_osd1;
	uint32_t i_block[EXT2_N_BLOCKS];
	uint32_t i_generation;
	uint32_t i_file_acl; /* extended attribute block, kept as it is */
	uint32_t i_size_high;
	uint32_t i_faddr;
	uint16_t i_blocks_hi;
	uint16_t i_file_acl_high;
	uint16_t i_uid_high;
	uint16_t i_gid_high;
	uint16_t i_checksum_lo;
	uint16_t i_reserved;
};
_Static_assert(sizeof(struct ext2_inode) == EXT2_GOOD_OLD_INODE_SIZE, "inode layout");
_Static_assert(offsetof(struct ext2_inode, i_block) == 40, "inode layout");

/* i_mode file types */
#define EXT2_S_IFMT   0170000
#define EXT2_S_IFSOCK 0140000
#define EXT2_S_IFLNK  0120000
#define EXT2_S_IFREG  0100000
#define EXT2_S_IFBLK  0060000
#define EXT2_S_IFDIR  0040000
#define EXT2_S_IFCHR  0020000
#define EXT2_S_IFIFO  0010000
#define EXT2_ISDIR(m) (((m)&EXT2_S_IFMT) == EXT2_S_IFDIR)
#define EXT2_ISREG(m) (((m)&EXT2_S_IFMT) == EXT2_S_IFREG)
#define EXT2_ISLNK(m) (((m)&EXT2_S_IFMT) == EXT2_S_IFLNK)

/* i_flags */
#define EXT2_INDEX_FL 0x00001000 /* directory has an htree index */

/*
 * A directory entry: 8 bytes of header, then the name (not NUL terminated),
 * padded to 4 bytes. rec_len reaches the next entry; entries never cross a
 * block. inode 0 marks an unused entry. With the filetype feature the high
 * byte of the 16-bit name length is the file type below.
 */
#define EXT2_DIRENT_HDR	   8
#define EXT2_DIRENT_LEN(n) (((n) + EXT2_DIRENT_HDR + 3) & ~3u)

enum ext2_ftype {
	EXT2_FT_UNKNOWN = 0,
	EXT2_FT_REG_FILE = 1,
	EXT2_FT_DIR = 2,
	EXT2_FT_CHRDEV = 3,
	EXT2_FT_BLKDEV = 4,
	EXT2_FT_FIFO = 5,
	EXT2_FT_SOCK = 6,
	EXT2_FT_SYMLINK = 7,
};

#endif
